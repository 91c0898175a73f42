"""The knowledge base: documents, their pages and chunks (with vectors) in one SQLite file, and a
hybrid FAISS + BM25 index built from it in memory.

SQLite is the single source of truth. A document is added in one transaction after its text
is extracted and embedded, so a process killed mid-ingestion leaves exactly the documents fully
added before. Writers from several sessions or processes are serialised by SQLite's lock;
readers notice another writer's change through a generation counter and rebuild the index.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
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
from retrieval.embeddings.embedder import DIMENSIONS, Embedder
from retrieval.hybrid_index import HybridIndex
from retrieval.kb_schema import ADDED_COLUMNS, SCHEMA
from retrieval.pipeline import Retrieved, retrieve
from retrieval.query_analysis import QueryIntent, analyse, distinctive_names
from retrieval.relevance import RelevanceGate
from retrieval.types import Corpus, Row
from storage import sqlite_db


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
    """Documents and retrieval over them, persisted under ``directory``."""

    def __init__(
        self,
        directory: Path | str,
        embedder: Embedder,
        chunk_tokens: int = 200,
        overlap_tokens: int = 30,
        min_relevance: float = 0.25,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "kb.sqlite3"
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.gate = RelevanceGate(min_relevance)
        self._lock = threading.RLock()
        self._corpus: Corpus | None = None
        self._generation = -1
        sqlite_db.create(self.path, SCHEMA)
        sqlite_db.add_missing_columns(self.path, ADDED_COLUMNS)
        self._backfill_profiles_and_headings()

    def _connect(self):
        return sqlite_db.connect(self.path, timeout=60)

    def _backfill_profiles_and_headings(self) -> None:
        """Documents added by an earlier release have no profile and their chunks no page heading:
        read both from the stored pages (no re-embedding; "Re-index all" also embeds them)."""
        with self._connect() as db:
            old = db.execute("SELECT id, name, title FROM documents WHERE profile = '{}'").fetchall()
            for doc_id, name, title in old:
                pages = [
                    r[0]
                    for r in db.execute("SELECT text FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))
                ]
                profile = profile_document(name, title, pages)
                db.execute(
                    "UPDATE documents SET profile = ? WHERE id = ?", (json.dumps(profile.as_dict()), doc_id)
                )
                headings = [page_heading(p) for p in pages]
                db.executemany(
                    "UPDATE chunks SET context = ? WHERE row = ?",
                    [
                        (headings[start - 1] if 0 < start <= len(headings) else "", row)
                        for row, start in db.execute(
                            "SELECT row, page_start FROM chunks WHERE doc_id = ? AND context = ''", (doc_id,)
                        ).fetchall()
                    ],
                )
            if old:
                self._bump(db)

    # --- documents -----------------------------------------------------------------
    def documents(self, where: str = "", params: tuple[Any, ...] = ()) -> list[DocumentInfo]:
        """Documents in the order they were added; ``where`` filters them in SQL (e.g. "d.id = ?")."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT d.id, d.name, d.sha256, d.size_bytes, d.pages, "
                "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.id), d.empty_pages, d.added_at, d.unit "
                f"FROM documents d {'WHERE ' + where if where else ''} ORDER BY d.added_at",
                params,
            ).fetchall()
        return [DocumentInfo(*r[:6], json.loads(r[6]), r[7], r[8]) for r in rows]

    def is_empty(self) -> bool:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0] == 0

    def find(self, sha256: str) -> DocumentInfo | None:
        """The document with this content hash, if it is already in the knowledge base."""
        return next(iter(self.documents("d.sha256 = ?", (sha256,))), None)

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
        pages = document.pages
        profile, chunks, contexts, vectors = self._prepare(doc_id, name, document.title, pages, progress)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (content_sha256,)).fetchone():
                raise DocumentError(f"{name} is already in the knowledge base.")
            db.execute(
                "INSERT INTO documents (id, name, sha256, title, profile, size_bytes, pages, empty_pages, "
                "added_at, ocr_pages, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    name,
                    content_sha256,
                    document.title,
                    json.dumps(profile.as_dict()),
                    size_bytes,
                    len(pages),
                    json.dumps(document.empty_pages),
                    time.time(),
                    json.dumps(document.ocr_pages),
                    document.unit,
                ),
            )
            db.executemany(
                "INSERT INTO pages VALUES (?, ?, ?)", [(doc_id, i + 1, t) for i, t in enumerate(pages)]
            )
            self._insert_chunks(db, doc_id, chunks, contexts, vectors)
            self._bump(db)
        return self.documents("d.id = ?", (doc_id,))[0]

    def delete_document(self, doc_id: str) -> None:
        """Remove a document with its pages, vectors and keywords."""
        with self._connect() as db:
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self._bump(db)

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
        with self._connect() as db:
            row = db.execute("SELECT name, title FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                return None
            pages = [
                r[0] for r in db.execute("SELECT text FROM pages WHERE doc_id = ? ORDER BY number", (doc_id,))
            ]
        profile, chunks, contexts, vectors = self._prepare(doc_id, row[0], row[1], pages, progress, False)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
                db.rollback()
                return None  # removed while it was embedded
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.execute(
                "UPDATE documents SET profile = ? WHERE id = ?", (json.dumps(profile.as_dict()), doc_id)
            )
            self._insert_chunks(db, doc_id, chunks, contexts, vectors)
            self._bump(db)
        return len(chunks)

    def replace_document(
        self, doc_id: str, document: ExtractedDocument, progress: Callable[[int, int], None] | None = None
    ) -> DocumentInfo | None:
        """Replace one document's text (read again from its original) with its pages, profile and
        chunks, re-embedded, in a single transaction; None when it is not in the knowledge base."""
        found = self.documents("d.id = ?", (doc_id,))
        if not found:
            return None
        name, pages = found[0].name, document.pages
        profile, chunks, contexts, vectors = self._prepare(doc_id, name, document.title, pages, progress)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            changed = db.execute(
                "UPDATE documents SET title = ?, profile = ?, pages = ?, empty_pages = ?, ocr_pages = ?, "
                "unit = ? WHERE id = ?",
                (
                    document.title,
                    json.dumps(profile.as_dict()),
                    len(pages),
                    json.dumps(document.empty_pages),
                    json.dumps(document.ocr_pages),
                    document.unit,
                    doc_id,
                ),
            ).rowcount
            if not changed:  # deleted meanwhile
                return None
            db.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.executemany(
                "INSERT INTO pages VALUES (?, ?, ?)", [(doc_id, i + 1, t) for i, t in enumerate(pages)]
            )
            self._insert_chunks(db, doc_id, chunks, contexts, vectors)
            self._bump(db)
        return self.documents("d.id = ?", (doc_id,))[0]

    def pages(self, doc_id: str, first: int = 1, count: int | None = None) -> list[tuple[int, str]]:
        """(number, text) of the document's pages (or sections, paragraphs) from ``first`` on,
        ``count`` of them at most (all when None)."""
        with self._connect() as db:
            return db.execute(
                "SELECT number, text FROM pages WHERE doc_id = ? AND number >= ? ORDER BY number LIMIT ?",
                (doc_id, first, -1 if count is None else count),
            ).fetchall()

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
        corpus = self._current_corpus()
        if corpus is None:
            return [], None
        intent = analyse(query)
        found = retrieve(corpus, intent, self.embedder.embed_query(intent.search_text), k, self.gate)
        return self._hits(corpus, found), intent

    def retrieved(self, query: str, k: int) -> list[Retrieved]:
        """The pipeline's own picks for ``query``, with their ranking scores (for benchmarks)."""
        corpus = self._current_corpus()
        if corpus is None or not query.strip():
            return []
        intent = analyse(query.strip())
        return retrieve(corpus, intent, self.embedder.embed_query(intent.search_text), k, self.gate)

    def page_passages(self, doc_id: str, page: int) -> list[Hit]:
        """Every passage of one page of a document, in page order, with no score (a statement
        page is several passages; a line a search did not pick may be on it)."""
        corpus = self._current_corpus()
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

    def _current_corpus(self) -> Corpus | None:
        with self._lock:
            with self._connect() as db:
                generation = int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
                if generation != self._generation:
                    self._corpus = self._load_corpus(db)
                    self._generation = generation
            return self._corpus

    def _load_corpus(self, db: sqlite3.Connection) -> Corpus | None:
        rows = db.execute(
            "SELECT c.doc_id, d.name, c.page_start, c.page_end, c.text, c.context, c.vector "
            "FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.row"
        ).fetchall()
        if not rows:
            return None
        profiles = {
            doc_id: DocProfile.from_dict(json.loads(profile))
            for doc_id, profile in db.execute("SELECT id, profile FROM documents")
        }
        vectors = np.frombuffer(b"".join(r[6] for r in rows), dtype=np.float32).reshape(len(rows), DIMENSIONS)
        passages = [Row(*r[:6]) for r in rows]
        files = {p.doc_id: p.file for p in passages}
        labels = {doc: (profiles.get(doc) or DocProfile()).label(file) for doc, file in files.items()}
        index = HybridIndex(vectors, [f"{labels[p.doc_id]}\n{p.context}\n{p.text}" for p in passages])
        doc_of_row = np.array([p.doc_id for p in passages])
        doc_rows = {doc: np.flatnonzero(doc_of_row == doc) for doc in profiles}
        names = distinctive_names(profiles, lambda word: set(doc_of_row[index.rows_with_word(word)]))
        ocr_pages = {
            doc_id: frozenset(json.loads(pages))
            for doc_id, pages in db.execute("SELECT id, ocr_pages FROM documents WHERE ocr_pages != '[]'")
        }
        units = dict(db.execute("SELECT id, unit FROM documents WHERE unit != 'page'").fetchall())
        return Corpus(index, passages, profiles, names, doc_rows, labels, ocr_pages, units)

    # --- helpers -------------------------------------------------------------------
    def _prepare(
        self,
        doc_id: str,
        name: str,
        title: str,
        pages: list[str],
        progress: Callable[[int, int], None] | None,
        need_text: bool = True,
    ) -> tuple[DocProfile, list[Chunk], list[str], np.ndarray]:
        """The profile, chunks, their page headings and vectors of a document's pages."""
        profile = profile_document(name, title, pages)
        chunks, contexts = self._chunk(doc_id, name, pages)
        if need_text and not chunks:
            raise DocumentError(f"{name} has no text to index.")
        vectors = self.embedder.embed(indexed_texts(chunks, contexts, profile.label(name)), progress)
        return profile, chunks, contexts, vectors

    def _chunk(self, doc_id: str, name: str, pages: list[str]) -> tuple[list[Chunk], list[str]]:
        """The document's chunks and, for each, the heading of the page it starts on."""
        splitter = make_splitter(self.embedder.tokenizer, self.chunk_tokens, self.overlap_tokens)
        chunks = chunk_pages(doc_id, name, pages, splitter)
        headings = [page_heading(p) for p in pages]
        return chunks, [headings[c.page_start - 1] if c.page_start <= len(headings) else "" for c in chunks]

    @staticmethod
    def _insert_chunks(
        db: sqlite3.Connection, doc_id: str, chunks: list[Chunk], contexts: list[str], vectors: np.ndarray
    ) -> None:
        db.executemany(
            "INSERT INTO chunks (id, doc_id, page_start, page_end, text, vector, context) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (c.id, doc_id, c.page_start, c.page_end, c.text, vectors[i].astype(np.float32).tobytes(), ctx)
                for i, (c, ctx) in enumerate(zip(chunks, contexts, strict=True))
            ],
        )

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")


def indexed_texts(chunks: list[Chunk], contexts: list[str], label: str) -> list[str]:
    """What is embedded for each chunk: its document's label, its page's heading, then its text
    (a passage from the middle of a table still says which filing, statement and years it is
    from; measured in BENCHMARKS.md)."""
    return [
        f"{label}\n{ctx}\n{c.text}" if ctx else f"{label}\n{c.text}"
        for c, ctx in zip(chunks, contexts, strict=True)
    ]


def open_knowledge_base(settings: Any, directory: Path | str | None = None) -> KnowledgeBase:
    """The knowledge base for ``settings`` (in ``directory`` if given), with the shared embedder."""
    from retrieval.embeddings.embedder import shared_embedder

    return KnowledgeBase(
        directory or settings.kb_dir,
        shared_embedder(),
        settings.chunk_tokens,
        settings.chunk_overlap_tokens,
        settings.min_relevance,
    )
