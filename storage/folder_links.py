"""Which folder each knowledge base follows, and which document each file of it became.

One SQLite file beside the knowledge-base list (DATA_DIR/folders.sqlite3). A file is remembered
with the size and modification time it had when it was read, so a later sync reads again only the
files whose size or time changed (and then only if their content hash changed too), and with
whether the sync added its document (only those are removed with the file: a document the user
added by hand stays when a copy of it disappears from the folder).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from storage import sqlite_db

_SCHEMA = """
CREATE TABLE IF NOT EXISTS folder_links (
    collection TEXT PRIMARY KEY,
    folder TEXT NOT NULL,
    linked_at REAL NOT NULL,
    last_sync REAL,
    last_report TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS folder_files (
    collection TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    doc_id TEXT NOT NULL,
    added_by_sync INTEGER NOT NULL,
    PRIMARY KEY (collection, path)
);
"""


@dataclass(frozen=True)
class FolderLink:
    """A knowledge base following a folder; ``last_report`` says what its last sync did."""

    collection: str
    folder: Path
    linked_at: float
    last_sync: float | None = None
    last_report: str = ""


@dataclass(frozen=True)
class TrackedFile:
    """A file of a followed folder as it was when read: ``path`` is relative to the folder."""

    path: str
    size: int
    mtime_ns: int
    doc_id: str
    added_by_sync: bool


class FolderLinks:
    """The folder links and their files' records."""

    def __init__(self, path: Path):
        self.path = Path(path)
        sqlite_db.create(self.path, _SCHEMA)

    def link(self, collection: str) -> FolderLink | None:
        with sqlite_db.connect(self.path) as db:
            row = db.execute(
                "SELECT collection, folder, linked_at, last_sync, last_report FROM folder_links "
                "WHERE collection = ?",
                (collection,),
            ).fetchone()
        return _link(row) if row else None

    def links(self) -> list[FolderLink]:
        with sqlite_db.connect(self.path) as db:
            rows = db.execute(
                "SELECT collection, folder, linked_at, last_sync, last_report FROM folder_links "
                "ORDER BY linked_at"
            ).fetchall()
        return [_link(r) for r in rows]

    def follow(self, collection: str, folder: Path) -> FolderLink:
        """Link ``collection`` to ``folder`` (a new folder replaces the old one and forgets its files)."""
        link = FolderLink(collection, Path(folder), time.time())
        with sqlite_db.connect(self.path) as db:
            old = db.execute("SELECT folder FROM folder_links WHERE collection = ?", (collection,)).fetchone()
            if old and old[0] != str(folder):
                db.execute("DELETE FROM folder_files WHERE collection = ?", (collection,))
            db.execute(
                "INSERT INTO folder_links (collection, folder, linked_at) VALUES (?, ?, ?) "
                "ON CONFLICT (collection) DO UPDATE SET folder = excluded.folder",
                (collection, str(folder), link.linked_at),
            )
        return self.link(collection) or link

    def unfollow(self, collection: str) -> None:
        with sqlite_db.connect(self.path) as db:
            db.execute("DELETE FROM folder_links WHERE collection = ?", (collection,))
            db.execute("DELETE FROM folder_files WHERE collection = ?", (collection,))

    def files(self, collection: str) -> dict[str, TrackedFile]:
        """The files read from the folder so far, by relative path."""
        with sqlite_db.connect(self.path) as db:
            rows = db.execute(
                "SELECT path, size, mtime_ns, doc_id, added_by_sync FROM folder_files WHERE collection = ?",
                (collection,),
            ).fetchall()
        return {r[0]: TrackedFile(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows}

    def record(self, collection: str, file: TrackedFile) -> None:
        with sqlite_db.connect(self.path) as db:
            db.execute(
                "INSERT OR REPLACE INTO folder_files VALUES (?, ?, ?, ?, ?, ?)",
                (collection, file.path, file.size, file.mtime_ns, file.doc_id, int(file.added_by_sync)),
            )

    def forget(self, collection: str, path: str) -> None:
        with sqlite_db.connect(self.path) as db:
            db.execute("DELETE FROM folder_files WHERE collection = ? AND path = ?", (collection, path))

    def synced(self, collection: str, report: str) -> None:
        with sqlite_db.connect(self.path) as db:
            db.execute(
                "UPDATE folder_links SET last_sync = ?, last_report = ? WHERE collection = ?",
                (time.time(), report, collection),
            )


def _link(row: tuple) -> FolderLink:
    return FolderLink(row[0], Path(row[1]), row[2], row[3], row[4])
