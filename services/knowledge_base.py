"""The knowledge base: documents, their pages and chunks (with vectors) in one SQLite file, and a
hybrid FAISS + BM25 index built from it in memory.

SQLite is the single source of truth. A document is added in one transaction after its text
is extracted and embedded, so a process killed mid-ingestion leaves exactly the documents fully
added before. Writers from several sessions or processes are serialised by SQLite's lock;
readers notice another writer's change through a generation counter and rebuild the index.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from errors import DocumentError
from services import sqlite_db
from services.chunking import Chunk, chunk_pages, document_label, make_splitter
from services.embeddings import DIMENSIONS, Embedder
from services.hybrid_index import HybridIndex

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    size_bytes INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    empty_pages TEXT NOT NULL,
    added_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS chunks (
    row INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', '0');
"""


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


@dataclass(frozen=True)
class Hit:
    file: str
    page_start: int
    page_end: int
    score: float  # fused rank score, 0-1, best first
    similarity: float  # cosine similarity of question and passage
    text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "page_start": self.page_start,
            "page_end": self.page_end,
            "score": round(self.score, 4),
            "text": self.text,
        }


class KnowledgeBase:
    """Documents and retrieval over them, persisted under ``directory``."""

    def __init__(
        self,
        directory: Path | str,
        embedder: Embedder,
        chunk_tokens: int = 200,
        overlap_tokens: int = 30,
        min_similarity: float = 0.0,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "kb.sqlite3"
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.overlap_tokens = overlap_tokens
        self.min_similarity = min_similarity
        self._lock = threading.RLock()
        self._index: HybridIndex | None = None
        self._rows: list[tuple[str, int, int, str]] = []  # (file, page_start, page_end, text) per index row
        self._generation = -1
        sqlite_db.create(self.path, _SCHEMA)

    def _connect(self):
        return sqlite_db.connect(self.path, timeout=60)

    # --- documents -----------------------------------------------------------------
    def documents(self, where: str = "", params: tuple[Any, ...] = ()) -> list[DocumentInfo]:
        """Documents in the order they were added; ``where`` filters them in SQL (e.g. "d.id = ?")."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT d.id, d.name, d.sha256, d.size_bytes, d.pages, "
                "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.id), d.empty_pages, d.added_at "
                f"FROM documents d {'WHERE ' + where if where else ''} ORDER BY d.added_at",
                params,
            ).fetchall()
        return [DocumentInfo(*r[:6], json.loads(r[6]), r[7]) for r in rows]

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
        pages: list[str],
        empty_pages: list[int],
        progress: Callable[[int, int], None] | None = None,
        title: str = "",
    ) -> DocumentInfo:
        """Chunk, embed and store one document in a single transaction."""
        doc_id = content_sha256
        chunks = self._chunk(doc_id, name, pages)
        if not chunks:
            raise DocumentError(f"{name} has no text to index.")
        vectors = self.embedder.embed(_indexed_texts(chunks, name, title), progress)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (content_sha256,)).fetchone():
                raise DocumentError(f"{name} is already in the knowledge base.")
            db.execute(
                "INSERT INTO documents (id, name, sha256, title, size_bytes, pages, empty_pages, added_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc_id,
                    name,
                    content_sha256,
                    title,
                    size_bytes,
                    len(pages),
                    json.dumps(empty_pages),
                    time.time(),
                ),
            )
            db.executemany(
                "INSERT INTO pages VALUES (?, ?, ?)", [(doc_id, i + 1, t) for i, t in enumerate(pages)]
            )
            self._insert_chunks(db, doc_id, chunks, vectors)
            self._bump(db)
        return self.documents("d.id = ?", (doc_id,))[0]

    def delete_document(self, doc_id: str) -> None:
        """Remove a document with its pages, vectors and keywords."""
        with self._connect() as db:
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self._bump(db)

    def reindex(self, progress: Callable[[str, int, int], None] | None = None) -> int:
        """Re-chunk and re-embed every document with the current settings; returns the chunk count."""
        total = 0
        for doc in self.documents():
            with self._connect() as db:
                pages = [
                    r[0]
                    for r in db.execute("SELECT text FROM pages WHERE doc_id = ? ORDER BY number", (doc.id,))
                ]
            chunks = self._chunk(doc.id, doc.name, pages)
            vectors = self.embedder.embed(
                [c.text for c in chunks], (lambda d, t, n=doc.name: progress(n, d, t)) if progress else None
            )
            with self._connect() as db:
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc.id,))
                self._insert_chunks(db, doc.id, chunks, vectors)
                self._bump(db)
            total += len(chunks)
        return total

    # --- retrieval -----------------------------------------------------------------
    def search(self, query: str, k: int) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first."""
        query = query.strip()
        if not query:
            return []
        index, rows = self._current_index()
        if index is None or index.size == 0:
            return []
        vector = self.embedder.embed_query(query)
        return [
            Hit(
                rows[r.position][0],
                rows[r.position][1],
                rows[r.position][2],
                r.score,
                r.similarity,
                rows[r.position][3],
            )
            for r in index.search(vector, query, k, self.min_similarity)
        ]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Vectors from this knowledge base's embedder (used to rank lines within passages)."""
        return self.embedder.embed(texts)

    def _current_index(self) -> tuple[HybridIndex | None, list[tuple[str, int, int, str]]]:
        with self._lock:
            with self._connect() as db:
                generation = int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
                if generation != self._generation or self._index is None:
                    rows = db.execute(
                        "SELECT d.name, c.page_start, c.page_end, c.text, c.vector, d.title "
                        "FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.row"
                    ).fetchall()
                    vectors = np.frombuffer(b"".join(r[4] for r in rows), dtype=np.float32)
                    vectors = vectors.reshape(len(rows), DIMENSIONS)
                    self._rows = [(r[0], r[1], r[2], r[3]) for r in rows]
                    keyword_texts = [f"{document_label(r[0], r[5])}\n{r[3]}" for r in rows]
                    self._index = HybridIndex(vectors, keyword_texts)
                    self._generation = generation
            return self._index, self._rows

    # --- helpers -------------------------------------------------------------------
    def _chunk(self, doc_id: str, name: str, pages: list[str]) -> list[Chunk]:
        splitter = make_splitter(self.embedder.tokenizer, self.chunk_tokens, self.overlap_tokens)
        return chunk_pages(doc_id, name, pages, splitter)

    @staticmethod
    def _insert_chunks(db: sqlite3.Connection, doc_id: str, chunks: list[Chunk], vectors: np.ndarray) -> None:
        db.executemany(
            "INSERT INTO chunks (id, doc_id, page_start, page_end, text, vector) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (c.id, doc_id, c.page_start, c.page_end, c.text, vectors[i].astype(np.float32).tobytes())
                for i, c in enumerate(chunks)
            ],
        )

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")


def _indexed_texts(chunks: list[Chunk], name: str, title: str) -> list[str]:
    """What is embedded for each chunk: its document's label, then its text (a passage from a
    table still says which document it belongs to; measured in BENCHMARKS.md)."""
    label = document_label(name, title)
    return [f"{label}\n{c.text}" for c in chunks]


def open_knowledge_base(settings: Any, directory: Path | str | None = None) -> KnowledgeBase:
    """The knowledge base for ``settings`` (in ``directory`` if given), with the shared embedder."""
    from services.embeddings import shared_embedder

    return KnowledgeBase(
        directory or settings.kb_dir,
        shared_embedder(),
        settings.chunk_tokens,
        settings.chunk_overlap_tokens,
        settings.score_threshold,
    )


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
