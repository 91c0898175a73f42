"""Separate knowledge bases ("collections"): each one a folder with its own index (and, with
DATABASE_URL, its own PostgreSQL schema), listed by name: the ``KnowledgeBaseList`` protocol and
its SQLite list (storage/postgres/collections.py keeps the list in PostgreSQL).

The first one, "My documents", is the knowledge base of earlier releases (DATA_DIR/kb), so nothing
moves on upgrade; the others live in DATA_DIR/collections/<id>. Deleting a collection removes its
folder and nothing else.
"""

from __future__ import annotations

import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from errors import UserInputError
from storage import sqlite_db

DEFAULT = "default"
DEFAULT_NAME = "My documents"
MAX_NAME = 60
_SCHEMA = """
CREATE TABLE IF NOT EXISTS collections (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Collection:
    id: str
    name: str
    created_at: float


class KnowledgeBaseList(Protocol):
    """The knowledge bases' names and the folders their originals and page pictures live in."""

    def list(self) -> list[Collection]:
        """All knowledge bases, "My documents" first, then by name."""
        ...

    def get(self, collection_id: str) -> Collection | None: ...

    def find(self, name: str) -> Collection | None:
        """The knowledge base called ``name`` (case does not matter)."""
        ...

    def create(self, name: str) -> Collection: ...

    def rename(self, collection_id: str, name: str) -> None: ...

    def delete(self, collection_id: str) -> None:
        """Remove the knowledge base from the list and its folder; never another one's."""
        ...

    def directory(self, collection_id: str) -> Path: ...

    def adopt(self, collection: Collection) -> None:
        """List a knowledge base copied from another store under its own id and name (kept as it
        is when that id is listed already)."""
        ...


def folder_of(data_dir: Path, default_dir: Path, collection_id: str) -> Path:
    """Where a knowledge base's folder is: "My documents" in ``default_dir``, the others under
    ``data_dir``/collections."""
    if collection_id == DEFAULT:
        return Path(default_dir)
    if not collection_id.isalnum():  # ids are ours: hex, never a path
        raise ValueError(f"not a knowledge base id: {collection_id!r}")
    return Path(data_dir) / "collections" / collection_id


def valid_name(names: KnowledgeBaseList, name: str, collection_id: str = "") -> str:
    """``name`` tidied, or why it cannot name a knowledge base (empty, too long, taken)."""
    name = " ".join(name.split())
    if not name:
        raise UserInputError("Give the knowledge base a name.")
    if len(name) > MAX_NAME:
        raise UserInputError(f"A knowledge base name can be at most {MAX_NAME} characters long.")
    same = names.find(name)
    if same is not None and same.id != collection_id:
        raise UserInputError(f'There is already a knowledge base called "{same.name}".')
    return name


def refuse_default(collection_id: str) -> None:
    """ "My documents" is never deleted (only its documents)."""
    if collection_id == DEFAULT:
        raise UserInputError(f'"{DEFAULT_NAME}" cannot be deleted; remove its documents instead.')


class CollectionStore:
    """The names and folders of the knowledge bases, in SQLite."""

    def __init__(self, data_dir: Path, default_dir: Path):
        self.data_dir = Path(data_dir)
        self.default_dir = Path(default_dir)
        self.path = Path(data_dir) / "collections.sqlite3"
        sqlite_db.create(self.path, _SCHEMA)
        with sqlite_db.connect(self.path) as db:
            db.execute(
                "INSERT OR IGNORE INTO collections VALUES (?, ?, ?)", (DEFAULT, DEFAULT_NAME, time.time())
            )

    def list(self) -> list[Collection]:
        """All knowledge bases, "My documents" first, then by name."""
        with sqlite_db.connect(self.path) as db:
            rows = db.execute(
                "SELECT id, name, created_at FROM collections ORDER BY id != ?, name COLLATE NOCASE",
                (DEFAULT,),
            ).fetchall()
        return [Collection(*r) for r in rows]

    def get(self, collection_id: str) -> Collection | None:
        with sqlite_db.connect(self.path) as db:
            row = db.execute(
                "SELECT id, name, created_at FROM collections WHERE id = ?", (collection_id,)
            ).fetchone()
        return Collection(*row) if row else None

    def find(self, name: str) -> Collection | None:
        """The knowledge base called ``name`` (case does not matter)."""
        with sqlite_db.connect(self.path) as db:
            row = db.execute(
                "SELECT id, name, created_at FROM collections WHERE name = ? COLLATE NOCASE",
                (name.strip(),),
            ).fetchone()
        return Collection(*row) if row else None

    def create(self, name: str) -> Collection:
        name = valid_name(self, name)
        collection = Collection(uuid.uuid4().hex[:12], name, time.time())
        with sqlite_db.connect(self.path) as db:
            db.execute(
                "INSERT INTO collections VALUES (?, ?, ?)", (collection.id, name, collection.created_at)
            )
        return collection

    def adopt(self, collection: Collection) -> None:
        if self.get(collection.id) is None:
            name = valid_name(self, collection.name, collection.id)
            with sqlite_db.connect(self.path) as db:
                db.execute(
                    "INSERT OR IGNORE INTO collections VALUES (?, ?, ?)",
                    (collection.id, name, collection.created_at),
                )

    def rename(self, collection_id: str, name: str) -> None:
        name = valid_name(self, name, collection_id)
        with sqlite_db.connect(self.path) as db:
            db.execute("UPDATE collections SET name = ? WHERE id = ?", (name, collection_id))

    def delete(self, collection_id: str) -> None:
        """Remove the knowledge base and its folder (all its documents); never another one's."""
        refuse_default(collection_id)
        if self.get(collection_id) is None:
            return
        with sqlite_db.connect(self.path) as db:
            db.execute("DELETE FROM collections WHERE id = ?", (collection_id,))
        shutil.rmtree(self.directory(collection_id), ignore_errors=True)

    def directory(self, collection_id: str) -> Path:
        """Where the knowledge base's index lives."""
        return folder_of(self.data_dir, self.default_dir, collection_id)
