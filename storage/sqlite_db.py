"""SQLite connections as the stores use them: WAL journal, foreign keys on, one transaction per block."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

if sys.platform != "win32":
    import fcntl


@contextmanager
def connect(path: Path, timeout: float = 30.0) -> Iterator[sqlite3.Connection]:
    """A connection whose block is one transaction, committed on leaving (rolled back on error)."""
    with closing(sqlite3.connect(path, timeout=timeout)) as db:
        db.execute("PRAGMA foreign_keys=ON")
        with db:
            yield db


@contextmanager
def _schema_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside ``path`` while its schema is set up.

    Two processes opening a new store at once (two ``cli.py ingest`` runs) would
    otherwise race: switching to WAL needs the file to itself, and SQLite answers
    "database is locked" at once instead of waiting when another connection holds it.
    """
    if sys.platform == "win32":  # no flock: SQLite's own locking alone
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def create(path: Path, schema: str) -> None:
    """Create the database file (and its folder) with ``schema``, in WAL mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _schema_lock(path), connect(path) as db:
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)


def add_missing_columns(path: Path, columns: list[tuple[str, str, str]]) -> None:
    """Add each (table, column, declaration) a file made by an earlier release lacks."""
    with _schema_lock(path), connect(path) as db:
        for table, column, declaration in columns:
            have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {declaration}")
