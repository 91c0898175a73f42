"""The chats and the list of knowledge bases on both stores: SQLite under DATA_DIR (the default)
and a real PostgreSQL (DATABASE_URL), each PostgreSQL test in a database of its own."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from errors import StorageError, UserInputError
from storage.collections import DEFAULT, CollectionStore, KnowledgeBaseList
from storage.conversations import Conversations, ConversationStore


@pytest.fixture
def database(pg_url) -> str:
    """A new, empty database on the test server (the app's tables are created by the stores)."""
    name = f"app_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return make_conninfo(pg_url, dbname=name)


@pytest.fixture(params=["sqlite", "postgres"])
def chats(request, tmp_path) -> Conversations:
    if request.param == "sqlite":
        return ConversationStore(tmp_path / "conversations.sqlite3")
    from storage.postgres.conversations import PostgresConversationStore

    return PostgresConversationStore(request.getfixturevalue("database"))


@pytest.fixture(params=["sqlite", "postgres"])
def names(request, tmp_path) -> KnowledgeBaseList:
    if request.param == "sqlite":
        return CollectionStore(tmp_path, tmp_path / "kb")
    from storage.postgres.collections import PostgresCollectionStore

    return PostgresCollectionStore(request.getfixturevalue("database"), tmp_path, tmp_path / "kb")


def test_chats_are_listed_newest_first_and_each_owner_sees_their_own_and_the_shared(chats):
    shared = chats.create("Shared", owner="")
    mine = chats.create("Mine", owner="me")
    theirs = chats.create("Theirs", owner="them", collection="")
    chats.add_message(shared.id, "user", "hello")  # now the most recently active
    assert [c.id for c in chats.list()] == [shared.id, theirs.id, mine.id]
    assert [c.id for c in chats.list("me")] == [shared.id, mine.id]
    assert chats.count("me") == 1 and chats.count("nobody") == 0
    assert chats.get(theirs.id).collection == "" and chats.get("missing") is None


def test_messages_keep_their_order_text_and_meta_and_go_with_their_chat(chats):
    conv = chats.create("Apple", owner="me")
    asked = chats.add_message(conv.id, "user", "What were net sales?")
    meta = {"sources": [{"file": "aapl.pdf", "page_start": 4, "page_end": 4, "unit": "page"}], "n": 1.5}
    answered = chats.add_message(conv.id, "assistant", "Net sales were", meta)
    chats.update_message(answered, "Net sales were $117,154 million [1].")
    assert answered > asked
    got = chats.messages(conv.id)
    assert [(m.role, m.content) for m in got] == [
        ("user", "What were net sales?"),
        ("assistant", "Net sales were $117,154 million [1]."),
    ]
    assert got[1].meta == meta and got[0].meta == {}
    chats.update_message(answered, "Stopped.", {"cut_off": True, "cut_off_reason": "stopped"})
    assert chats.messages(conv.id)[1].meta == {"cut_off": True, "cut_off_reason": "stopped"}
    assert "_(answer cut off: stopped)_" in chats.export_markdown(conv.id)
    chats.delete(conv.id)
    assert chats.get(conv.id) is None and chats.messages(conv.id) == []
    assert chats.export_markdown(conv.id) == ""


def test_renaming_and_forgetting_a_deleted_knowledge_base(chats):
    conv = chats.create(owner="me", collection="abc123")
    other = chats.create(owner="me", collection="def456")
    chats.rename(conv.id, "  Quarterly\n results  ")
    chats.forget_collection("abc123")
    assert chats.get(conv.id).title == "Quarterly results"
    assert chats.get(conv.id).collection == "" and chats.get(other.id).collection == "def456"
    chats.set_collection(conv.id, "def456")
    assert chats.get(conv.id).collection == "def456"
    chats.rename(conv.id, "   ")
    assert chats.get(conv.id).title == "Untitled"


def test_knowledge_base_names_are_unique_whatever_their_case_and_my_documents_stays(names, tmp_path):
    assert [c.id for c in names.list()] == [DEFAULT]
    contracts = names.create("  Contracts ")
    names.create("archive")
    assert [c.name for c in names.list()] == ["My documents", "archive", "Contracts"]
    assert names.find("CONTRACTS").id == contracts.id and names.get(contracts.id).name == "Contracts"
    with pytest.raises(UserInputError, match="already a knowledge base"):
        names.create("contracts")
    with pytest.raises(UserInputError, match="cannot be deleted"):
        names.delete(DEFAULT)
    names.rename(contracts.id, "Leases")
    assert names.find("contracts") is None and names.find("leases").id == contracts.id
    folder = names.directory(contracts.id)
    assert folder == tmp_path / "collections" / contracts.id and names.directory(DEFAULT) == tmp_path / "kb"
    folder.mkdir(parents=True)
    (folder / "original.pdf").write_bytes(b"%PDF")
    names.delete(contracts.id)
    assert names.get(contracts.id) is None and not folder.exists()
    with pytest.raises(ValueError):
        names.directory("../etc")


def test_on_postgresql_another_process_sees_chats_and_knowledge_bases_at_once(database, tmp_path):
    from storage.postgres.collections import PostgresCollectionStore
    from storage.postgres.conversations import PostgresConversationStore

    here, there = PostgresConversationStore(database), PostgresConversationStore(database)
    conv = here.create("Team chat", owner="")
    here.add_message(conv.id, "user", "Who signed the lease?")
    assert [m.content for m in there.messages(conv.id)] == ["Who signed the lease?"]
    PostgresCollectionStore(database, tmp_path, tmp_path / "kb").create("Shared contracts")
    again = PostgresCollectionStore(database, Path(tmp_path), tmp_path / "kb")
    assert [c.name for c in again.list()] == ["My documents", "Shared contracts"]


def test_app_tables_of_a_newer_release_are_refused_with_what_to_do(database):
    from storage.postgres import app_tables
    from storage.postgres.conversations import PostgresConversationStore

    PostgresConversationStore(database)
    with psycopg.connect(database, autocommit=True) as db:
        db.execute(f"UPDATE {app_tables.SCHEMA}.schema_version SET version = 99")
    app_tables._ready.discard(database)  # as a process started after the upgrade would
    with pytest.raises(StorageError, match="newer release .*Please upgrade"):
        PostgresConversationStore(database)


def test_the_app_keeps_chats_and_knowledge_bases_in_postgresql_when_database_url_is_set(database, tmp_path):
    from config.settings import Settings
    from core.assistant import open_conversations
    from core.library import collection_store
    from storage.postgres.collections import PostgresCollectionStore
    from storage.postgres.conversations import PostgresConversationStore

    on_postgres = Settings(data_dir=str(tmp_path), database_url=database)
    assert isinstance(open_conversations(on_postgres), PostgresConversationStore)
    assert isinstance(collection_store(on_postgres), PostgresCollectionStore)
    on_sqlite = Settings(data_dir=str(tmp_path))
    assert isinstance(open_conversations(on_sqlite), ConversationStore)
    assert isinstance(collection_store(on_sqlite), CollectionStore)


def test_the_sidebar_says_which_store_keeps_the_documents_without_the_password(tmp_path):
    from config.settings import Settings
    from core.library import Library

    url = "postgresql://team:s3cret@db.example:5433/assistant"
    assert Library(Settings(database_url=url), ConversationStore(tmp_path / "c.db")).stored_where() == (
        "Stored in PostgreSQL: database 'assistant' on team@db.example:5433"
    )
    assert Library(Settings(data_dir=tmp_path), ConversationStore(tmp_path / "c.db")).stored_where() == (
        f"Stored on this computer in SQLite, under {tmp_path}"
    )


def test_a_copied_knowledge_base_is_listed_under_its_own_id_once(names):
    from storage.collections import Collection

    copied = Collection("a1b2c3d4e5f6", "Contracts", 1234.5)
    names.adopt(copied)
    names.adopt(Collection("a1b2c3d4e5f6", "Renamed meanwhile", 99.0))  # already listed: kept
    assert names.get("a1b2c3d4e5f6") == copied and names.find("contracts") == copied
    with pytest.raises(UserInputError, match="already a knowledge base"):
        names.adopt(Collection("ffffffffffff", "CONTRACTS", 1.0))  # another one of that name
