"""The knowledge base: documents, their pages and chunks (with vectors) in a knowledge store
(storage/base.py: SQLite by default, PostgreSQL when DATABASE_URL is set). Searches run on a hybrid
FAISS + BM25 index built from the stored rows in memory, or, on a store that searches inside itself
(PostgreSQL), on each query's candidates found there (retrieval/corpora.py).

The store is the single source of truth. A document is added in one transaction after its text
is extracted and embedded, so a process killed mid-ingestion leaves exactly the documents fully
added before. Writers from several sessions or processes are serialised by the store;
readers notice another writer's change through a generation counter (and the in-memory index is
built again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from documents.chunking import Chunk, chunk_pages, make_splitter
from documents.doc_profile import DocProfile, profile_document
from documents.page_context import page_heading
from documents.pdf_processor import ExtractedDocument
from errors import DocumentError
from retrieval.corpora import corpora_for
from retrieval.embeddings.embedder import Embedder
from retrieval.pipeline import Retrieved, retrieve
from retrieval.query_analysis import QueryIntent, analyse
from retrieval.relevance import RelevanceGate
from retrieval.types import Corpus
from storage.base import DocumentText, KnowledgeStore, NewChunk, StoredDocument
from storage.sqlite.knowledge_store import SqliteKnowledgeStore


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    name: str
    sha256: str
    size_bytes: int
    pages: int
    chunks: int
    empty_pages: list[int]
    added_at: float
    unit: str = "page"  # what ``pages`` counts: "page", "section" or "paragraph"


@dataclass(frozen=True)
class Hit:
    file: str
    page_start: int
    page_end: int
    score: float  # calibrated relevance, 0-1 (retrieval/relevance.py); hits come best first
    similarity: float  # cosine similarity of question and passage
    text: str
    label: str = ""  # which document: company, form and period from its cover, and the file stem
    context: str = ""  # the heading of the passage's page
    ocr: bool = False  # its text was read from a scanned page by OCR
    unit: str = "page"  # what page_start/page_end count: "page", "section" or "paragraph"
    doc_id: str = ""  # the document's id (its content's sha256)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "page_start": self.page_start,
            "page_end": self.page_end,
            "score": round(self.score, 4),
            "label": self.label,
            "text": self.text,
            "ocr": self.ocr,
            "unit": self.unit,
        }


class KnowledgeBase:
    """Documents and retrieval over them, kept in a knowledge store (SQLite under ``directory``
    unless another ``store`` is given: storage/base.py)."""

    def __init__(
        self,
        directory: Path | str,
        embedder: Embedder,
        chunk_tokens: int = 200,
        overlap_tokens: int = 30,
        min_relevance: float = 0.25,
        store: KnowledgeStore | None = None,
        search_in_store: bool = True,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.store: KnowledgeStore = store if store is not None else SqliteKnowledgeStore(self.directory)
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.gate = RelevanceGate(min_relevance)
        self._lock = threading.RLock()
        self._corpora = corpora_for(self.store, search_in_store)
        self._backfill_profiles_and_headings()

    def _backfill_profiles_and_headings(self) -> None:
        """Documents added by an earlier release have no profile and their chunks no page heading:
        read both from the stored pages (no re-embedding; "Re-index all" also embeds them)."""
        filled = {}
        for doc in self.store.unprofiled():
            pages = [text for _, text in self.store.pages(doc.id)]
            profile = profile_document(doc.name, doc.title, pages)
            filled[doc.id] = (profile.as_dict(), [page_heading(p) for p in pages])
        self.store.fill_profiles(filled)

    # --- documents -----------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        """Documents in the order they were added."""
        return [_info(d) for d in self.store.documents()]

    def document(self, doc_id: str) -> DocumentInfo | None:
        """The document with this id, if it is in the knowledge base."""
        found = self.store.document(doc_id)
        return _info(found) if found else None

    def is_empty(self) -> bool:
        return self.store.chunk_count() == 0

    def find(self, sha256: str) -> DocumentInfo | None:
        """The document with this content hash, if it is already in the knowledge base."""
        found = self.store.find(sha256)
        return _info(found) if found else None

    def add_document(
        self,
        name: str,
        content_sha256: str,
        size_bytes: int,
        document: ExtractedDocument,
        progress: Callable[[int, int], None] | None = None,
    ) -> DocumentInfo:
        """Chunk, embed and store one document's text (pages, or sections / paragraphs, with their
        title and which were empty or read by OCR) in a single transaction."""
        doc_id = content_sha256
        profile, chunks = self._prepare(doc_id, name, document.title, document.pages, progress)
        self.store.add(doc_id, name, content_sha256, size_bytes, _text(document, profile), chunks)
        found = self.document(doc_id)
        assert found is not None
        return found

    def delete_document(self, doc_id: str) -> None:
        """Remove a document with its pages, vectors and keywords."""
        self.store.delete(doc_id)

    def destroy(self) -> None:
        """Destroy the knowledge base's store (its SQLite file, or its PostgreSQL schema); the
        object is unusable afterwards."""
        with self._lock:
            self.store.drop()
            self._corpora.reset()

    def reindex(self, progress: Callable[[str, int, int], None] | None = None) -> int:
        """Re-read profiles, re-chunk and re-embed every document with the current settings and
        code; returns the chunk count."""
        total = 0
        for doc in self.documents():
            report = (lambda d, t, n=doc.name: progress(n, d, t)) if progress else None
            total += self.rechunk(doc.id, report) or 0
        return total

    def rechunk(self, doc_id: str, progress: Callable[[int, int], None] | None = None) -> int | None:
        """Re-read one document's profile, re-chunk and re-embed its stored pages with the current
        settings, in one transaction; its chunk count, or None when it is not in the knowledge base."""
        found = self.store.document(doc_id)
        if found is None:
            return None
        pages = [text for _, text in self.store.pages(doc_id)]
        profile, chunks = self._prepare(doc_id, found.name, found.title, pages, progress, False)
        if not self.store.replace_chunks(doc_id, profile.as_dict(), chunks):
            return None  # removed while it was embedded
        return len(chunks)

    def replace_document(
        self, doc_id: str, document: ExtractedDocument, progress: Callable[[int, int], None] | None = None
    ) -> DocumentInfo | None:
        """Replace one document's text (read again from its original) with its pages, profile and
        chunks, re-embedded, in a single transaction; None when it is not in the knowledge base."""
        found = self.store.document(doc_id)
        if found is None:
            return None
        profile, chunks = self._prepare(doc_id, found.name, document.title, document.pages, progress)
        if not self.store.replace_document(doc_id, _text(document, profile), chunks):
            return None  # deleted meanwhile
        return self.document(doc_id)

    def pages(self, doc_id: str, first: int = 1, count: int | None = None) -> list[tuple[int, str]]:
        """(number, text) of the document's pages (or sections, paragraphs) from ``first`` on,
        ``count`` of them at most (all when None)."""
        return self.store.pages(doc_id, first, count)

    # --- retrieval -----------------------------------------------------------------
    def search(self, query: str, k: int) -> list[Hit]:
        """The best ``k`` passages for ``query`` (one per document it spans, if more), best first;
        [] when none is relevant (retrieval/pipeline.py)."""
        return self.search_with_intent(query, k)[0]

    def search_with_intent(self, query: str, k: int) -> tuple[list[Hit], QueryIntent | None]:
        """``search`` plus how the question was understood."""
        query = query.strip()
        if not query:
            return [], None
        intent = analyse(query)
        found = self._corpora.for_query(intent, self.embedder.embed_query)
        if found is None:
            return [], None
        corpus, vector = found
        return self._hits(corpus, retrieve(corpus, intent, vector, k, self.gate)), intent

    def retrieved(self, query: str, k: int) -> list[Retrieved]:
        """The pipeline's own picks for ``query``, with their ranking scores (for benchmarks)."""
        if not query.strip():
            return []
        intent = analyse(query.strip())
        found = self._corpora.for_query(intent, self.embedder.embed_query)
        return [] if found is None else retrieve(found[0], intent, found[1], k, self.gate)

    def page_passages(self, doc_id: str, page: int) -> list[Hit]:
        """Every passage of one page of a document, in page order, with no score (a statement
        page is several passages; a line a search did not pick may be on it)."""
        corpus = self._corpora.for_page(doc_id, page)
        if corpus is None or doc_id not in corpus.doc_rows:
            return []
        rows = [corpus.rows[i] for i in corpus.doc_rows[doc_id]]
        label = corpus.labels.get(doc_id, "")
        unit = corpus.units.get(doc_id, "page")
        return [
            Hit(
                r.file,
                r.page_start,
                r.page_end,
                0.0,
                0.0,
                r.text,
                label,
                r.context,
                corpus.read_by_ocr(r),
                unit,
                doc_id,
            )
            for r in rows
            if r.page_start <= page <= r.page_end
        ]

    @staticmethod
    def _hits(corpus: Corpus, found: list[Retrieved]) -> list[Hit]:
        return [
            Hit(
                r.row.file,
                r.row.page_start,
                r.row.page_end,
                r.relevance,
                r.similarity,
                r.row.text,
                r.label,
                r.row.context,
                corpus.read_by_ocr(r.row),
                corpus.units.get(r.row.doc_id, "page"),
                r.row.doc_id,
            )
            for r in found
        ]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors from this knowledge base's embedder (used to rank lines within passages)."""
        return self.embedder.embed(texts)

    # --- helpers -------------------------------------------------------------------
    def _prepare(
        self,
        doc_id: str,
        name: str,
        title: str,
        pages: list[str],
        progress: Callable[[int, int], None] | None,
        need_text: bool = True,
    ) -> tuple[DocProfile, list[NewChunk]]:
        """The profile and the chunks (with page headings and vectors) of a document's pages."""
        profile = profile_document(name, title, pages)
        chunks, contexts = self._chunk(doc_id, name, pages)
        if need_text and not chunks:
            raise DocumentError(f"{name} has no text to index.")
        vectors = self.embedder.embed(indexed_texts(chunks, contexts, profile.label(name)), progress)
        return profile, [
            NewChunk(c.id, c.page_start, c.page_end, c.text, ctx, np.asarray(vectors[i], dtype=np.float32))
            for i, (c, ctx) in enumerate(zip(chunks, contexts, strict=True))
        ]

    def _chunk(self, doc_id: str, name: str, pages: list[str]) -> tuple[list[Chunk], list[str]]:
        """The document's chunks and, for each, the heading of the page it starts on."""
        splitter = make_splitter(self.embedder.tokenizer, self.chunk_tokens, self.overlap_tokens)
        chunks = chunk_pages(doc_id, name, pages, splitter)
        headings = [page_heading(p) for p in pages]
        return chunks, [headings[c.page_start - 1] if c.page_start <= len(headings) else "" for c in chunks]


def _info(d: StoredDocument) -> DocumentInfo:
    return DocumentInfo(
        d.id, d.name, d.sha256, d.size_bytes, d.pages, d.chunks, d.empty_pages, d.added_at, d.unit
    )


def _text(document: ExtractedDocument, profile: DocProfile) -> DocumentText:
    return DocumentText(
        document.title,
        document.pages,
        profile.as_dict(),
        document.empty_pages,
        document.ocr_pages,
        document.unit,
    )


def indexed_texts(chunks: list[Chunk], contexts: list[str], label: str) -> list[str]:
    """What is embedded for each chunk: its document's label, its page's heading, then its text
    (a passage from the middle of a table still says which filing, statement and years it is
    from; measured in BENCHMARKS.md)."""
    return [
        f"{label}\n{ctx}\n{c.text}" if ctx else f"{label}\n{c.text}"
        for c, ctx in zip(chunks, contexts, strict=True)
    ]


def open_knowledge_base(
    settings: Any, directory: Path | str | None = None, collection: str | None = None
) -> KnowledgeBase:
    """The knowledge base for ``settings`` (in ``directory`` if given), with the shared embedder:
    on PostgreSQL when ``settings.database_url`` is set (the knowledge base ``collection``, by
    default named after the directory), else in SQLite under the directory."""
    from retrieval.embeddings.embedder import shared_embedder

    directory = Path(directory or settings.kb_dir)
    return KnowledgeBase(
        directory,
        shared_embedder(),
        settings.chunk_tokens,
        settings.chunk_overlap_tokens,
        settings.min_relevance,
        store=open_store(settings, directory, collection),
        search_in_store=getattr(settings, "search_in_database", True),
    )


def open_store(settings: Any, directory: Path, collection: str | None = None) -> KnowledgeStore:
    """The knowledge store ``settings`` choose (DATABASE_URL: PostgreSQL, else SQLite)."""
    url = getattr(settings, "database_url", "")
    if not url:
        return SqliteKnowledgeStore(directory)
    from storage.postgres.knowledge_store import PostgresKnowledgeStore

    if collection is None:  # the app's first knowledge base keeps its id when opened by folder
        same = directory.resolve() == Path(settings.kb_dir).resolve()
        collection = "default" if same else directory.name
    return PostgresKnowledgeStore(url, collection)
