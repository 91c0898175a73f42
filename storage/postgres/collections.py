"""The list of knowledge bases in PostgreSQL (DATABASE_URL), so every app process sharing the
database sees the same knowledge bases; each one's originals and page pictures stay in its folder
under DATA_DIR, as with SQLite (storage/collections.py)."""

from __future__ import annotations

import shutil
import time
import uuid
from pathlib import Path

from storage.collections import DEFAULT, DEFAULT_NAME, Collection, folder_of, refuse_default, valid_name
from storage.postgres.app_tables import SCHEMA, connection

_TABLE = f"{SCHEMA}.collections"


class PostgresCollectionStore:
    """The knowledge bases' names in the database at ``url``; their folders under ``data_dir``."""

    def __init__(self, url: str, data_dir: Path, default_dir: Path):
        self.url = url
        self.data_dir = Path(data_dir)
        self.default_dir = Path(default_dir)
        with connection(url) as db:  # the app's tables made first, if they are not there yet
            db.execute(
                f"INSERT INTO {_TABLE} VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (DEFAULT, DEFAULT_NAME, time.time()),
            )

    def list(self) -> list[Collection]:
        """All knowledge bases, "My documents" first, then by name."""
        with connection(self.url) as db:
            rows = db.execute(
                f"SELECT id, name, created_at FROM {_TABLE} ORDER BY id != %s, lower(name)", (DEFAULT,)
            ).fetchall()
        return [Collection(*r) for r in rows]

    def get(self, collection_id: str) -> Collection | None:
        with connection(self.url) as db:
            row = db.execute(
                f"SELECT id, name, created_at FROM {_TABLE} WHERE id = %s", (collection_id,)
            ).fetchone()
        return Collection(*row) if row else None

    def find(self, name: str) -> Collection | None:
        """The knowledge base called ``name`` (case does not matter)."""
        with connection(self.url) as db:
            row = db.execute(
                f"SELECT id, name, created_at FROM {_TABLE} WHERE lower(name) = lower(%s)", (name.strip(),)
            ).fetchone()
        return Collection(*row) if row else None

    def create(self, name: str) -> Collection:
        name = valid_name(self, name)
        collection = Collection(uuid.uuid4().hex[:12], name, time.time())
        with connection(self.url) as db:
            db.execute(
                f"INSERT INTO {_TABLE} VALUES (%s, %s, %s)", (collection.id, name, collection.created_at)
            )
        return collection

    def adopt(self, collection: Collection) -> None:
        if self.get(collection.id) is None:
            name = valid_name(self, collection.name, collection.id)
            with connection(self.url) as db:
                db.execute(
                    f"INSERT INTO {_TABLE} VALUES (%s, %s, %s) ON CONFLICT (id) DO NOTHING",
                    (collection.id, name, collection.created_at),
                )

    def rename(self, collection_id: str, name: str) -> None:
        name = valid_name(self, name, collection_id)
        with connection(self.url) as db:
            db.execute(f"UPDATE {_TABLE} SET name = %s WHERE id = %s", (name, collection_id))

    def delete(self, collection_id: str) -> None:
        """Remove the knowledge base from the list and its folder (its schema is dropped by the
        knowledge base itself: core/library.py); never another one's."""
        refuse_default(collection_id)
        if self.get(collection_id) is None:
            return
        with connection(self.url) as db:
            db.execute(f"DELETE FROM {_TABLE} WHERE id = %s", (collection_id,))
        shutil.rmtree(self.directory(collection_id), ignore_errors=True)

    def directory(self, collection_id: str) -> Path:
        """Where the knowledge base's originals and page pictures live."""
        return folder_of(self.data_dir, self.default_dir, collection_id)
