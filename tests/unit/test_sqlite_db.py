"""Schema set-up of the SQLite stores when several processes open a new store at once."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from storage import sqlite_db

_SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT);"
_ADDED = [("notes", "title", "TEXT NOT NULL DEFAULT ''")]


def _open_store(path: str, start: multiprocessing.synchronize.Event) -> None:
    start.wait()
    sqlite_db.create(Path(path), _SCHEMA)
    sqlite_db.add_missing_columns(Path(path), _ADDED)
    with sqlite_db.connect(Path(path)) as db:
        db.execute("INSERT INTO notes (body, title) VALUES ('x', 'y')")


def test_processes_creating_one_store_at_once_all_succeed(tmp_path):
    context = multiprocessing.get_context("fork")
    for round_ in range(5):
        path = tmp_path / f"store{round_}.sqlite3"
        start = context.Event()
        workers = [context.Process(target=_open_store, args=(str(path), start)) for _ in range(6)]
        for worker in workers:
            worker.start()
        start.set()
        for worker in workers:
            worker.join(60)
        assert [w.exitcode for w in workers] == [0] * 6
        with sqlite_db.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 6
