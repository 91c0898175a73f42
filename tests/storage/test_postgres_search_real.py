"""Search inside PostgreSQL on real filings with the real embedder: the same hits as the embedded
store (SQLite + the in-memory FAISS + bm25s index), a document another process adds found at once,
and no process ever reading every chunk."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from documents.pdf_processor import ExtractedDocument, extract_pdf
from retrieval.embeddings.embedder import shared_embedder
from retrieval.hybrid_index import CANDIDATES
from retrieval.knowledge_base import KnowledgeBase
from retrieval.query_analysis import analyse
from storage.base import DocumentText
from storage.postgres.knowledge_store import PostgresKnowledgeStore
from tests.conftest import SHARED

DEV = SHARED / "data" / "rag-dev"
QUESTIONS = [json.loads(line)["question"] for line in (DEV / "qa.jsonl").read_text().splitlines()] + [
    "Summarize the NVIDIA report",
    "What is this document about?",
    "How did revenue change across these quarters?",
    "What is 12 times 12?",
    "What should I name my new puppy?",
    "cash flow statement",
]
PAGES = 40
MEMO = ["Staff memo", "The bicycle scheme lends staff a bicycle for 25 days; the office garage keeps it."]


class NoChunkReads(PostgresKnowledgeStore):
    """A named spy: the PostgreSQL store, failing the test if every chunk is read (``corpus_rows``,
    what the in-memory index is built from) or a whole document's chunks are (``chunks``)."""

    def corpus_rows(self):
        raise AssertionError("corpus_rows() read every chunk")

    def chunks(self, doc_id):
        raise AssertionError("chunks() read a whole document")


def first_pages(pdf: Path, count: int = PAGES) -> ExtractedDocument:
    """A filing's first ``count`` pages (its cover and statements: embedding them all takes long)."""
    read = extract_pdf(pdf)
    return replace(
        read,
        pages=read.pages[:count],
        empty_pages=[p for p in read.empty_pages if p <= count],
        ocr_pages=[p for p in read.ocr_pages if p <= count],
    )


@pytest.fixture(scope="module")
def filled(pg_url, tmp_path_factory):
    """The three dev filings embedded once into SQLite, copied (not re-embedded) into PostgreSQL."""
    embedder = shared_embedder()
    folder = tmp_path_factory.mktemp("search-real")
    on_sqlite = KnowledgeBase(folder / "sqlite", embedder)
    for pdf in sorted((DEV / "pdfs").glob("*.pdf")):
        on_sqlite.add_document(pdf.name, hashlib.sha256(pdf.read_bytes()).hexdigest(), 1, first_pages(pdf))
    collection = uuid.uuid4().hex[:12]
    target = PostgresKnowledgeStore(pg_url, collection)
    source = on_sqlite.store
    for doc in source.documents():
        pages = [t for _, t in source.pages(doc.id)]
        text = DocumentText(doc.title, pages, doc.profile, doc.empty_pages, doc.ocr_pages, doc.unit)
        target.add(doc.id, doc.name, doc.sha256, doc.size_bytes, text, source.chunks(doc.id), doc.added_at)
    return on_sqlite, collection, folder


def open_on_postgres(pg_url, collection, folder, store=NoChunkReads) -> KnowledgeBase:
    return KnowledgeBase(folder / uuid.uuid4().hex, shared_embedder(), store=store(pg_url, collection))


def test_search_inside_postgres_gives_the_hits_of_the_embedded_store(filled, pg_url):
    on_sqlite, collection, folder = filled
    on_postgres = open_on_postgres(pg_url, collection, folder)
    answered = 0
    for question in QUESTIONS:
        expected, found = on_sqlite.search(question, 5), on_postgres.search(question, 5)
        assert [(h.file, h.page_start, h.page_end, h.text) for h in found] == [
            (h.file, h.page_start, h.page_end, h.text) for h in expected
        ], question
        for a, b in zip(found, expected, strict=True):
            assert (a.label, a.context, a.ocr, a.unit, a.doc_id) == (
                b.label,
                b.context,
                b.ocr,
                b.unit,
                b.doc_id,
            )
            assert a.score == pytest.approx(b.score, abs=1e-4) and a.similarity == pytest.approx(
                b.similarity, abs=1e-4
            )
        answered += bool(found)
    assert answered >= len(QUESTIONS) - 3  # most questions find passages (not small talk)
    for doc in on_sqlite.documents():
        for page in (1, 3, 7):
            assert on_postgres.page_passages(doc.id, page) == on_sqlite.page_passages(doc.id, page)


def test_a_document_another_process_adds_is_found_at_once(filled, pg_url):
    _, collection, folder = filled
    reader = open_on_postgres(pg_url, collection, folder)
    assert all(h.file != "memo.txt" for h in reader.search("bicycle scheme garage", 3))
    writer = open_on_postgres(pg_url, collection, folder, store=PostgresKnowledgeStore)
    writer.add_document("memo.txt", "f" * 64, 1, ExtractedDocument(MEMO, unit="paragraph"))
    hits = reader.search("bicycle scheme garage", 3)
    assert hits and hits[0].file == "memo.txt" and hits[0].unit == "paragraph"
    assert MEMO[1] in reader.page_passages("f" * 64, 2)[0].text
    writer.delete_document("f" * 64)
    assert all(h.file != "memo.txt" for h in reader.search("bicycle scheme garage", 3))


def test_a_query_reads_its_candidates_not_the_knowledge_base(filled, pg_url):
    on_sqlite, collection, folder = filled
    kb = open_on_postgres(pg_url, collection, folder)  # opening reads no chunk (the spy)
    total = sum(d.chunks for d in kb.documents())
    named = {d.name: d.chunks for d in kb.documents()}
    for question, whole in [
        ("What is 12 times 12?", 0),
        ("What was the gross margin?", 0),
        ("What was NVIDIA's revenue in Q1 2023?", named["2023 Q1 NVDA.pdf"]),
    ]:
        found = kb._corpora.for_query(analyse(question), kb.embedder.embed_query)
        assert found is not None
        rows = len(found[0].rows)
        assert rows <= 2 * CANDIDATES + whole and rows < total, (question, rows, total)
