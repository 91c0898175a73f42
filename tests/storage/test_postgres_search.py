"""BM25 inside PostgreSQL (schema version 2: chunk_terms, lengths, stats kept by triggers) gives
bm25s's scores of the in-memory index over the same rows, after every kind of write, and after
the upgrade of a version-1 knowledge base."""

from __future__ import annotations

import json
import uuid

import numpy as np
import pytest

from retrieval.corpus_rows import build_corpus
from storage.base import DocumentText, NewChunk
from storage.postgres.knowledge_store import PostgresKnowledgeStore
from tests.conftest import SHARED
from tests.storage.test_knowledge_store_contract import vector

QA = [json.loads(line) for line in (SHARED / "data/rag-dev/qa.jsonl").read_text().splitlines()]
QUESTIONS = [row["question"] for row in QA] + ["revenue revenue Microsoft", "the of", "zeppelin"]
PROFILES = [
    {"company": "MICROSOFT CORPORATION", "form": "10-Q", "period": "quarter ended September 30, 2022"},
    {"company": "NVIDIA CORP", "form": "10-Q"},
    {},
]


def fill(store: PostgresKnowledgeStore) -> None:
    """Three documents of real sentences (the dev set's answers), a few chunks each."""
    for d, profile in enumerate(PROFILES):
        answers = [row["answer"] for row in QA[d::3]]
        doc = str(d) * 64
        new = [
            NewChunk(
                f"{doc}-{i}", i + 1, i + 1, a, "Consolidated Statements" if i % 2 else "", vector(d * 50 + i)
            )
            for i, a in enumerate(answers)
        ]
        store.add(doc, f"filing {d}.pdf", doc, 1, DocumentText("", answers, profile), new)


def all_seqs(store: PostgresKnowledgeStore) -> list[int]:
    with store._transaction() as db:
        return [r[0] for r in db.execute("SELECT seq FROM chunks ORDER BY seq").fetchall()]


def assert_bm25s_scores(store: PostgresKnowledgeStore) -> None:
    corpus = build_corpus(store.corpus_rows())  # bm25s over every row, as on SQLite
    assert corpus is not None
    seqs = all_seqs(store)
    for question in QUESTIONS:
        expected = corpus.index.keyword_scores(question)
        found = store.keyword_scores(question, seqs)
        got = np.array([found.get(s, 0.0) for s in seqs])
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6, err_msg=question)
        top = store.keyword_candidates(question, 5)  # best first, ties in stored order as argsort's
        order = [corpus.rows[i] for i in np.argsort(-expected, kind="stable")[: len(top)]]
        assert len(top) == min(5, int((expected > 0).sum()))
        assert [(c.doc_id, c.page_start, c.text) for c in top] == [
            (r.doc_id, r.page_start, r.text) for r in order
        ]


@pytest.fixture
def store(pg_url) -> PostgresKnowledgeStore:
    found = PostgresKnowledgeStore(pg_url, uuid.uuid4().hex[:12])
    fill(found)
    return found


def test_bm25_in_the_database_is_bm25s(store):
    assert_bm25s_scores(store)


def test_bm25_follows_every_write(store):
    store.fill_profiles({"2" * 64: ({"company": "INTEL CORP", "form": "10-Q"}, ["Balance Sheets"] * 9)})
    assert_bm25s_scores(store)  # the label and headings changed: its terms did
    doc = "1" * 64
    assert store.replace_chunks(doc, {"company": "NVIDIA"}, store.chunks(doc)[:2])
    assert_bm25s_scores(store)
    store.delete("0" * 64)
    assert_bm25s_scores(store)
    with store._transaction() as db:  # the statistics the triggers keep, against a count
        kept = db.execute("SELECT chunks, total_length FROM keyword_stats").fetchone()
        counted = db.execute("SELECT count(*), sum(length) FROM chunks").fetchone()
    assert kept == counted


def test_a_version_1_knowledge_base_is_upgraded_with_its_terms(store, pg_url):
    with store._transaction() as db:  # back to version 1: the full-text column, no terms
        db.execute(
            "DROP TABLE chunk_terms, keyword_stats; DROP FUNCTION keyword_stats_follow CASCADE; "
            "ALTER TABLE chunks DROP COLUMN length; ALTER TABLE chunks ADD COLUMN search tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', context || ' ' || text)) STORED; "
            "UPDATE schema_version SET version = 1"
        )
        db.execute("DROP INDEX chunks_hnsw")  # and version 1's HNSW, with pgvector's defaults
        db.execute("CREATE INDEX chunks_hnsw ON chunks USING hnsw (embedding vector_cosine_ops)")
    again = PostgresKnowledgeStore(pg_url, store.schema.removeprefix("kb_"))
    with again._transaction() as db:
        assert db.execute("SELECT version FROM schema_version").fetchone() == (2,)
        hnsw = db.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'chunks_hnsw' AND schemaname = %s",
            (again.schema,),
        ).fetchone()
    assert "m='32'" in hnsw[0]  # rebuilt with more links
    assert_bm25s_scores(again)
