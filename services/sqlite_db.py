"""SQLite connections as the stores use them: WAL journal, foreign keys on, one transaction per block."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path


@contextmanager
def connect(path: Path, timeout: float = 30.0) -> Iterator[sqlite3.Connection]:
    """A connection whose block is one transaction, committed on leaving (rolled back on error)."""
    with closing(sqlite3.connect(path, timeout=timeout)) as db:
        db.execute("PRAGMA foreign_keys=ON")
        with db:
            yield db


def create(path: Path, schema: str) -> None:
    """Create the database file (and its folder) with ``schema``, in WAL mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)


def add_missing_columns(path: Path, columns: list[tuple[str, str, str]]) -> None:
    """Add each (table, column, declaration) a file made by an earlier release lacks."""
    with connect(path) as db:
        for table, column, declaration in columns:
            have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
