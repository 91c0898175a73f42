"""The PostgreSQL store beyond the contract: same answers as SQLite, candidate search in the
database, the schema version, the DATABASE_URL setting and an unreachable database."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from config.settings import Settings
from documents.pdf_processor import ExtractedDocument
from errors import StorageError
from retrieval.knowledge_base import KnowledgeBase, open_store
from storage.postgres.knowledge_store import PostgresKnowledgeStore
from storage.sqlite.knowledge_store import SqliteKnowledgeStore
from tests.fakes import FakeEmbedder

INTEL = [
    "Intel quarterly report",
    "Net revenue was $14,158 million in the third quarter.",
    "Gross margin 42.5%.",
]
APPLE = ["Apple annual report", "iPhone sales grew strongly across regions.", "Services revenue rose."]
MEMO = ["Staff memo", "The bicycle scheme covers 25 days of leave and the office garage."]


@pytest.fixture(scope="module")
def embedder():
    return FakeEmbedder()


def pg_store(url: str) -> PostgresKnowledgeStore:
    return PostgresKnowledgeStore(url, uuid.uuid4().hex[:12])


def filled(kb: KnowledgeBase) -> KnowledgeBase:
    for i, pages in enumerate([INTEL, APPLE, MEMO]):
        kb.add_document(f"doc{i}.pdf", str(i) * 64, 10, ExtractedDocument(pages, ocr_pages=[2] if i else []))
    return kb


def test_search_answers_the_same_on_postgres_and_sqlite(tmp_path, pg_url, embedder):
    on_sqlite = filled(KnowledgeBase(tmp_path / "a", embedder, 20, 2, 0.0))
    on_postgres = filled(KnowledgeBase(tmp_path / "b", embedder, 20, 2, 0.0, store=pg_store(pg_url)))
    for question in [
        "What was the net revenue in the quarter?",
        "iPhone sales",
        "bicycle garage leave",
        "margin",
    ]:
        assert on_postgres.search(question, 3) == on_sqlite.search(question, 3) != []
    assert [d.name for d in on_postgres.documents()] == [d.name for d in on_sqlite.documents()]


def test_another_knowledge_base_on_the_same_collection_sees_a_new_document_at_once(
    tmp_path, pg_url, embedder
):
    collection = uuid.uuid4().hex[:12]
    reader = KnowledgeBase(
        tmp_path / "r", embedder, 20, 2, 0.0, store=PostgresKnowledgeStore(pg_url, collection)
    )
    assert reader.search("iPhone sales", 2) == []
    writer = KnowledgeBase(
        tmp_path / "w", embedder, 20, 2, 0.0, store=PostgresKnowledgeStore(pg_url, collection)
    )
    writer.add_document("apple.pdf", "b" * 64, 1, ExtractedDocument(APPLE))
    assert [h.file for h in reader.search("iPhone sales", 2)][:1] == ["apple.pdf"]
    writer.delete_document("b" * 64)
    assert reader.search("iPhone sales", 2) == []


def test_dense_candidates_are_the_nearest_chunks_by_cosine(tmp_path, pg_url, embedder):
    store = pg_store(pg_url)
    filled(KnowledgeBase(tmp_path, embedder, 20, 2, 0.0, store=store))
    rows = store.corpus_rows()
    target = next(i for i, c in enumerate(rows.chunks) if "iPhone" in c.text)
    found = store.dense_candidates(rows.vectors[target], 3)
    assert len(found) == 3 and found[0].text == rows.chunks[target].text
    assert found[0].score == pytest.approx(1.0, abs=1e-5)
    expected = np.sort(rows.vectors @ rows.vectors[target])[::-1][:3]  # brute force agrees
    assert [c.score for c in found] == pytest.approx(expected.tolist(), abs=1e-5)


def test_keyword_candidates_rank_chunks_with_the_words(tmp_path, pg_url, embedder):
    store = pg_store(pg_url)
    filled(KnowledgeBase(tmp_path, embedder, 20, 2, 0.0, store=store))
    found = store.keyword_candidates("revenue of the bicycle", 10)
    texts = [c.text for c in found]
    assert any("Net revenue" in t for t in texts) and any("bicycle scheme" in t for t in texts)  # any word
    assert all("revenue" in t.lower() or "bicycle" in t.lower() for t in texts)  # only those
    assert all(c.score > 0 for c in found)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert store.keyword_candidates("zeppelin", 5) == [] and len(store.keyword_candidates("revenue", 1)) == 1


def test_a_schema_of_another_version_is_refused_with_what_to_do(pg_url):
    store = pg_store(pg_url)
    with store._transaction() as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StorageError, match="newer release.*upgrade the app"):
        PostgresKnowledgeStore(pg_url, store.schema.removeprefix("kb_"))
    with store._transaction() as db:
        db.execute("UPDATE schema_version SET version = 0")
    with pytest.raises(StorageError, match="DROP SCHEMA"):
        PostgresKnowledgeStore(pg_url, store.schema.removeprefix("kb_"))


def test_database_url_chooses_the_store(tmp_path, pg_url):
    assert Settings.from_env({"DATABASE_URL": pg_url}).database_url == pg_url
    assert "secret" not in repr(Settings(database_url="postgresql://u:secret@h/db"))
    assert isinstance(open_store(Settings(data_dir=tmp_path), tmp_path / "own"), SqliteKnowledgeStore)
    settings = Settings(data_dir=tmp_path, database_url=pg_url)
    default = open_store(settings, tmp_path / "kb")
    assert isinstance(default, PostgresKnowledgeStore) and default.schema == "kb_default"
    assert open_store(settings, tmp_path / "collections" / "0123abcd4567").schema == "kb_0123abcd4567"
    assert not (tmp_path / "kb" / "kb.sqlite3").exists()


def test_an_unreachable_database_says_what_to_check():
    url = "postgresql://someone:secret@127.0.0.1:1/assistant"  # nothing listens on port 1
    with pytest.raises(StorageError) as raised:
        PostgresKnowledgeStore(url, "default")
    message = str(raised.value)
    assert "Cannot connect to the knowledge base database 'assistant' on someone@127.0.0.1:1" in message
    assert "PostgreSQL is running" in message and "secret" not in message


def test_a_wrong_password_is_named_in_the_message():
    from storage.postgres.connection import unreachable

    error = Exception('connection failed: FATAL:  password authentication failed for user "someone"')
    message = str(unreachable("postgresql://someone:secret@db.local:5433/kb", error))
    assert "password authentication failed" in message and "user name and password in DATABASE_URL" in message
    assert "someone@db.local:5433" in message and "secret" not in message


def test_a_database_without_pgvector_says_what_to_run(pg_url):
    import psycopg
    from psycopg.conninfo import make_conninfo

    name = f"plain_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as admin:  # a user who may not create extensions
        admin.execute(f"CREATE ROLE {name} LOGIN")
        admin.execute(f"CREATE DATABASE {name} OWNER {name}")
    with pytest.raises(StorageError, match="lacks the pgvector extension.*CREATE EXTENSION vector"):
        PostgresKnowledgeStore(make_conninfo(pg_url, user=name, dbname=name), "default")


def test_the_nearest_chunks_are_found_through_the_hnsw_index(tmp_path, pg_url, embedder):
    store = pg_store(pg_url)
    filled(KnowledgeBase(tmp_path, embedder, 20, 2, 0.0, store=store))
    with store._transaction() as db:
        db.execute("SET LOCAL enable_seqscan = off")  # a table this small would be scanned anyway
        plan = " ".join(
            r[0]
            for r in db.execute(
                "EXPLAIN SELECT id FROM chunks ORDER BY embedding <=> "
                "(SELECT embedding FROM chunks LIMIT 1) LIMIT 3"
            )
        )
        indexes = {
            r[0] for r in db.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s", (store.schema,))
        }
    assert "chunks_hnsw" in plan
    assert any(
        "USING hnsw (embedding vector_cosine_ops) WITH (m='32', ef_construction='128')" in i for i in indexes
    )
    assert any("chunk_terms USING btree (term, seq)" in i for i in indexes)  # BM25 by term


def test_search_in_database_is_the_default_with_database_url(tmp_path, pg_url):
    from dataclasses import replace

    from retrieval.corpora import MemoryCorpora
    from retrieval.knowledge_base import open_knowledge_base
    from retrieval.server_corpus import ServerCorpora

    settings = Settings(data_dir=tmp_path, database_url=pg_url)
    assert isinstance(open_knowledge_base(settings)._corpora, ServerCorpora)
    assert isinstance(
        open_knowledge_base(replace(settings, search_in_database=False))._corpora, MemoryCorpora
    )
    assert isinstance(open_knowledge_base(Settings(data_dir=tmp_path))._corpora, MemoryCorpora)  # SQLite
    assert Settings.from_env({"SEARCH_IN_DATABASE": "false"}).search_in_database is False
