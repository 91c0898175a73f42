"""Copying a knowledge base between SQLite and a real PostgreSQL (core/kb_transfer.py): everything
kept bit for bit without re-embedding, an interrupted copy resumed, a mismatch reported."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.kb_transfer import CopyReport, compare_counts, compare_searches, copy_documents, sample_queries
from documents.pdf_processor import ExtractedDocument
from retrieval.knowledge_base import KnowledgeBase
from storage.sqlite.knowledge_store import SqliteKnowledgeStore
from tests.fakes import FakeEmbedder
from tests.storage.test_postgres_store import APPLE, INTEL, MEMO, pg_store

QUESTIONS = ["net revenue in the quarter", "iPhone sales", "bicycle garage leave"]


@pytest.fixture(scope="module")
def embedder():
    return FakeEmbedder()


def on_sqlite(path, embedder) -> KnowledgeBase:
    return KnowledgeBase(path, embedder, 20, 2, 0.0)


def on_postgres(path, embedder, url) -> KnowledgeBase:
    return KnowledgeBase(path, embedder, 20, 2, 0.0, store=pg_store(url))


def filled(kb: KnowledgeBase) -> KnowledgeBase:
    kb.add_document("intel.pdf", "1" * 64, 10, ExtractedDocument(INTEL, ocr_pages=[2], empty_pages=[3]))
    kb.add_document("apple.docx", "2" * 64, 20, ExtractedDocument(APPLE, unit="section", title="Apple"))
    kb.add_document("memo.txt", "3" * 64, 30, ExtractedDocument(MEMO, unit="paragraph"))
    return kb


def copied(source: KnowledgeBase, target: KnowledgeBase) -> CopyReport:
    report = CopyReport("source", "target")
    calls = source.embedder.calls
    copy_documents(source.store, target.store, report)
    assert source.embedder.calls == calls  # nothing re-embedded
    report = compare_counts(source.store, target.store, report)
    return replace(report, samples=compare_searches(source, target, sample_queries(source.store)))


def assert_same(a: KnowledgeBase, b: KnowledgeBase) -> None:
    """Documents (ids, sha256, profiles, added times ...), pages, chunks with vectors, searches."""
    assert a.store.documents() == b.store.documents()
    for doc in a.store.documents():
        assert a.store.pages(doc.id) == b.store.pages(doc.id)
        mine, theirs = a.store.chunks(doc.id), b.store.chunks(doc.id)
        assert [(c.id, c.page_start, c.page_end, c.text, c.context) for c in mine] == [
            (c.id, c.page_start, c.page_end, c.text, c.context) for c in theirs
        ]
        assert np.array_equal(np.stack([c.vector for c in mine]), np.stack([c.vector for c in theirs]))
    for question in QUESTIONS:
        assert a.search(question, 3) == b.search(question, 3) != []


def test_sqlite_to_postgres_and_back_keeps_everything(tmp_path, pg_url, embedder):
    sqlite = filled(on_sqlite(tmp_path / "a", embedder))
    postgres = on_postgres(tmp_path / "b", embedder, pg_url)
    there = copied(sqlite, postgres)
    assert there.copied == ["intel.pdf", "apple.docx", "memo.txt"] and there.skipped == []
    assert (there.source_documents, there.target_documents) == (3, 3)
    assert there.source_chunks == there.target_chunks == sqlite.store.chunk_count() > 3
    assert len(there.samples) == 3 and there.ok
    assert_same(sqlite, postgres)
    back = on_sqlite(tmp_path / "c", embedder)
    assert copied(postgres, back).ok
    assert_same(postgres, back)


class Interrupted(Exception):
    pass


class Killed:
    """A vector that fails as it is written: the process dies mid-transaction."""

    def astype(self, *_a, **_kw):
        raise Interrupted

    def __array__(self, *_a, **_kw):
        raise Interrupted


class Crashing:
    """A target store killed during its second document's transaction."""

    def __init__(self, store):
        self.store, self.adds = store, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def add(self, doc_id, name, sha256, size_bytes, text, chunks, added_at=None):
        self.adds += 1
        if self.adds == 2:
            chunks = [*chunks[:-1], replace(chunks[-1], vector=Killed())]
        self.store.add(doc_id, name, sha256, size_bytes, text, chunks, added_at)


def test_an_interrupted_copy_run_again_finishes_it_without_duplicates(tmp_path, pg_url, embedder):
    sqlite = filled(on_sqlite(tmp_path / "a", embedder))
    postgres = on_postgres(tmp_path / "b", embedder, pg_url)
    with pytest.raises(Interrupted):
        copy_documents(sqlite.store, Crashing(postgres.store), CopyReport("s", "t"))
    assert [d.name for d in postgres.store.documents()] == ["intel.pdf"]  # the second left nothing
    again = copied(sqlite, postgres)
    assert (again.skipped, again.copied) == (["intel.pdf"], ["apple.docx", "memo.txt"]) and again.ok
    assert_same(sqlite, postgres)
    third = copied(sqlite, postgres)
    assert (third.copied, len(third.skipped), third.ok) == ([], 3, True)


def test_a_target_missing_a_document_is_reported(tmp_path, pg_url, embedder):
    sqlite = filled(on_sqlite(tmp_path / "a", embedder))
    postgres = on_postgres(tmp_path / "b", embedder, pg_url)
    copied(sqlite, postgres)
    postgres.store.delete("2" * 64)
    report = compare_counts(sqlite.store, postgres.store, CopyReport("s", "t"))
    assert (report.source_documents, report.target_documents) == (3, 2) and not report.ok
    assert report.lines()[-1].startswith("MISMATCH")


def test_a_different_top_hit_is_reported(tmp_path, embedder):
    full = filled(on_sqlite(tmp_path / "a", embedder))
    other = on_sqlite(tmp_path / "b", embedder)
    other.add_document("memo.txt", "3" * 64, 30, ExtractedDocument(MEMO, unit="paragraph"))
    samples = compare_searches(full, other, ["net revenue in the quarter"])
    assert not samples[0].same and samples[0].source_top[0] == "intel.pdf"
    report = CopyReport("s", "t", samples=samples)
    assert not report.ok and any(line.startswith("  differs:") for line in report.lines())


def test_sqlite_store_copies_between_two_folders(tmp_path, embedder):
    source = filled(on_sqlite(tmp_path / "a", embedder))
    target = on_sqlite(tmp_path / "b", embedder)
    assert isinstance(target.store, SqliteKnowledgeStore)
    assert copied(source, target).ok
    assert_same(source, target)


class Rechunked:
    """A source store whose ``doc_id`` loses a chunk between its listing and its read (another
    process re-indexed it meanwhile)."""

    def __init__(self, store, doc_id: str):
        self.store, self.doc_id = store, doc_id

    def __getattr__(self, name):
        return getattr(self.store, name)

    def chunks(self, doc_id):
        found = self.store.chunks(doc_id)
        return found[:-1] if doc_id == self.doc_id else found


def test_a_document_changed_while_read_is_left_for_the_next_run(tmp_path, embedder):
    source = filled(on_sqlite(tmp_path / "a", embedder))
    target = on_sqlite(tmp_path / "b", embedder)
    report = CopyReport("s", "t")
    copy_documents(Rechunked(source.store, "2" * 64), target.store, report)
    assert (report.copied, report.changed) == (["intel.pdf", "memo.txt"], ["apple.docx"])
    report = compare_counts(source.store, target.store, report)
    assert not report.ok and "  changed while copied, run again: apple.docx" in report.lines()
    assert target.store.find("2" * 64) is None
    assert copied(source, target).copied == ["apple.docx"]
    assert_same(source, target)


def test_sample_queries_spread_over_the_chunks_of_one_long_document(tmp_path, embedder):
    kb = on_sqlite(tmp_path / "a", embedder)
    pages = [f"Page {i} says the figure is {i * 7} units of {word}." for i, word in enumerate("abcdefghij")]
    kb.add_document("long.pdf", "4" * 64, 1, ExtractedDocument(pages))
    texts = [c.text for c in kb.store.chunks("4" * 64)]
    picked = sample_queries(kb.store, 3)
    assert len(texts) >= 3 and len(picked) == 3 and len(set(picked)) == 3
    where = [texts.index(t) for t in picked]
    assert where == sorted(where) and where[0] < len(texts) // 2 <= where[-1]
    assert sample_queries(on_sqlite(tmp_path / "empty", embedder).store) == []
