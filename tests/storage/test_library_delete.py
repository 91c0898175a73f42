"""Deleting a knowledge base destroys its store: the SQLite file with its folder, or the
PostgreSQL schema (a real server), and leaves every other knowledge base as it was."""

from __future__ import annotations

import psycopg
import pytest

from config.settings import Settings
from core.library import Library
from retrieval.knowledge_base import open_store
from storage.conversations import ConversationStore
from storage.postgres.schema import schema_name
from tests.storage.test_knowledge_store_contract import add


def schemas(url: str) -> set[str]:
    with psycopg.connect(url) as db:
        return {r[0] for r in db.execute("SELECT nspname FROM pg_namespace").fetchall()}


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_deleting_a_knowledge_base_destroys_its_store_and_no_other(tmp_path, request, database):
    url = request.getfixturevalue("pg_url") if database == "postgres" else ""
    settings = Settings(data_dir=tmp_path / "data", database_url=url)
    library = Library(settings, ConversationStore(tmp_path / "chats.sqlite3"))
    doomed, kept = library.create("Doomed"), library.create("Kept")
    add(library.knowledge_base_for(doomed.id).store, "a" * 64, ["Gone soon."])
    add(library.knowledge_base_for(kept.id).store, "b" * 64, ["Stays."], seed=3)
    folder = library.collections.directory(doomed.id)
    if url:
        assert schema_name(doomed.id) in schemas(url)
    library.delete(doomed.id)
    assert library.find("Doomed") is None and not folder.exists()
    if url:
        assert schema_name(doomed.id) not in schemas(url) and schema_name(kept.id) in schemas(url)
    assert open_store(settings, folder).documents() == []  # nothing left to find under that id
    assert [d.id for d in library.documents(kept.id)] == ["b" * 64]
