"""SQLite store of the HTTP API's keys: a name, the sha256 of the key (never the key itself), and
the knowledge bases the key is limited to (none listed: every one)."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from storage import sqlite_db

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    sha256 TEXT NOT NULL UNIQUE,
    collections TEXT NOT NULL DEFAULT '[]',
    created_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class StoredKey:
    """One API key as stored: ``collections`` are knowledge-base ids; () means all of them."""

    name: str
    sha256: str
    collections: tuple[str, ...]
    created_at: float


class ApiKeyStore:
    """API keys by name and by hash, in one SQLite file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        sqlite_db.create(self.path, _SCHEMA)

    def add(self, name: str, sha256: str, collections: tuple[str, ...] = ()) -> StoredKey | None:
        """Store a new key; None when a key of that name exists already."""
        key = StoredKey(name, sha256, tuple(collections), time.time())
        try:
            with sqlite_db.connect(self.path) as db:
                db.execute(
                    "INSERT INTO api_keys VALUES (?, ?, ?, ?)",
                    (key.name, key.sha256, json.dumps(list(key.collections)), key.created_at),
                )
        except sqlite3.IntegrityError:
            return None
        return key

    def by_hash(self, sha256: str) -> StoredKey | None:
        with sqlite_db.connect(self.path) as db:
            row = db.execute("SELECT * FROM api_keys WHERE sha256 = ?", (sha256,)).fetchone()
        return _key(row) if row else None

    def list(self) -> list[StoredKey]:
        """Every key, oldest first."""
        with sqlite_db.connect(self.path) as db:
            rows = db.execute("SELECT * FROM api_keys ORDER BY created_at").fetchall()
        return [_key(r) for r in rows]

    def delete(self, name: str) -> bool:
        """Remove the key called ``name``; False when there is none."""
        with sqlite_db.connect(self.path) as db:
            return db.execute("DELETE FROM api_keys WHERE name = ?", (name.strip(),)).rowcount > 0


def _key(row: tuple) -> StoredKey:
    return StoredKey(row[0], row[1], tuple(json.loads(row[2])), row[3])
