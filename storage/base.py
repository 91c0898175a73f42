"""The knowledge store seam: what a knowledge base keeps (documents, their pages, chunks with
vectors, a generation counter) as plain data, behind one small protocol with two implementations
(storage/sqlite/: the embedded default; storage/postgres/: PostgreSQL + pgvector).

A store never chunks, embeds or reads a file: it is handed finished rows and returns them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from errors import AssistantError, DocumentError, StorageError

__all__ = ["StorageError"]  # raised by the stores (errors/: the UI shows it)


@dataclass(frozen=True)
class DocumentText:
    """A document's text as read: its title, pages (or sections, paragraphs) and which were
    empty or read by OCR, and its cover-page profile (a json-able dict)."""

    title: str
    pages: list[str]
    profile: dict[str, Any]
    empty_pages: list[int] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)
    unit: str = "page"


@dataclass(frozen=True)
class NewChunk:
    """One passage to store: its id, pages, text, page heading and embedding."""

    id: str
    page_start: int
    page_end: int
    text: str
    context: str
    vector: np.ndarray


@dataclass(frozen=True)
class StoredDocument:
    """A document as stored, with its chunk count."""

    id: str
    name: str
    sha256: str
    title: str
    profile: dict[str, Any]
    size_bytes: int
    pages: int
    chunks: int
    empty_pages: list[int]
    added_at: float
    ocr_pages: list[int]
    unit: str


@dataclass(frozen=True)
class ChunkRow:
    """One stored passage for the in-memory corpus (its vector is in ``CorpusRows.vectors``)."""

    doc_id: str
    file: str
    page_start: int
    page_end: int
    text: str
    context: str


@dataclass(frozen=True)
class CorpusRows:
    """Every chunk (in insertion order) with its vector and every document, read at ``generation``."""

    generation: int
    documents: list[StoredDocument]
    chunks: list[ChunkRow]
    vectors: np.ndarray  # float32, one row per chunk


@dataclass(frozen=True)
class Candidate:
    """A chunk found by the store's own search (dense k-NN or keyword), best first."""

    doc_id: str
    chunk_id: str
    page_start: int
    page_end: int
    text: str
    score: float  # cosine similarity (dense) or BM25 (keyword)


@dataclass(frozen=True)
class SearchChunk:
    """A stored passage found for a query, with its place in the stored order and its vector."""

    seq: int  # its place in the order chunks were stored (the in-memory corpus's row order)
    chunk_id: str
    doc_id: str
    file: str
    page_start: int
    page_end: int
    text: str
    context: str
    vector: np.ndarray  # float32


@dataclass(frozen=True)
class QueryCandidates:
    """What the store found for one query, read in one snapshot at ``generation``."""

    generation: int
    chunks: list[SearchChunk]  # the dense and keyword hits and every chunk of the asked documents
    dense: list[int]  # seqs of the nearest chunks by cosine, best first
    keyword: dict[int, float]  # BM25 of each chunk in ``chunks`` that holds a query term
    total: int  # chunks in the knowledge base


def already_added(name: str) -> AssistantError:
    """The error for a document whose content is already stored."""
    return DocumentError(f"{name} is already in the knowledge base.")


class KnowledgeStore(Protocol):
    """Documents, pages and chunks+vectors of one knowledge base; every write is one transaction
    and changes ``generation()``."""

    def generation(self) -> int: ...

    def add(
        self,
        doc_id: str,
        name: str,
        sha256: str,
        size_bytes: int,
        text: DocumentText,
        chunks: list[NewChunk],
        added_at: float | None = None,
    ) -> None:
        """Store a document with its pages and chunks (added now, or at ``added_at`` when copied
        from another store); ``already_added`` on a duplicate sha256."""
        ...

    def delete(self, doc_id: str) -> None: ...

    def documents(self) -> list[StoredDocument]:
        """All documents in the order they were added."""
        ...

    def document(self, doc_id: str) -> StoredDocument | None: ...

    def find(self, sha256: str) -> StoredDocument | None: ...

    def chunk_count(self) -> int: ...

    def unprofiled(self) -> list[StoredDocument]:
        """The documents with no profile yet (added by an earlier release), in the order added."""
        ...

    def chunks(self, doc_id: str) -> list[NewChunk]:
        """A document's chunks with their ids and vectors, in stored order (to copy it elsewhere)."""
        ...

    def pages(self, doc_id: str, first: int = 1, count: int | None = None) -> list[tuple[int, str]]: ...

    def replace_chunks(self, doc_id: str, profile: dict[str, Any], chunks: list[NewChunk]) -> bool:
        """Swap a document's chunks and profile (rechunk); False when it is gone."""
        ...

    def replace_document(self, doc_id: str, text: DocumentText, chunks: list[NewChunk]) -> bool:
        """Swap a document's text, pages and chunks; False when it is gone."""
        ...

    def fill_profiles(self, filled: dict[str, tuple[dict[str, Any], list[str]]]) -> None:
        """Set each document's profile and give its chunks with no context the heading of their
        first page (``filled[doc_id] = (profile, headings by page)``); for older stores."""
        ...

    def corpus_rows(self) -> CorpusRows: ...

    def drop(self) -> None:
        """Destroy this knowledge base's data (its file, or its database schema); the store is
        unusable afterwards."""
        ...


@runtime_checkable
class CandidateSearch(Protocol):
    """Candidate search inside the store (PostgreSQL; SQLite searches its in-memory index):
    the dense and keyword (BM25, as bm25s scores it: storage/keyword_terms.py) candidates of a
    query and the keyword statistics retrieval's stages ask, so no store reads every chunk."""

    def dense_candidates(self, vector: np.ndarray, k: int) -> list[Candidate]: ...

    def keyword_candidates(self, text: str, k: int) -> list[Candidate]: ...

    def query_candidates(
        self, vector: np.ndarray, text: str, depth: int, documents: Collection[str]
    ) -> QueryCandidates:
        """The ``depth`` nearest chunks to ``vector``, the ``depth`` best by BM25 for ``text``
        and every chunk of ``documents``, with the BM25 of each."""
        ...

    def keyword_scores(self, text: str, seqs: Collection[int]) -> dict[int, float]:
        """BM25 for ``text`` of the chunks ``seqs`` (left out: 0)."""
        ...

    def chunks_holding(self, terms: Collection[str]) -> int:
        """How many chunks hold any of ``terms`` (tokens as the keyword tokenizer splits them)."""
        ...

    def documents_holding(self, terms: Collection[str]) -> dict[str, set[str]]:
        """For each of ``terms``, the documents whose chunks hold it."""
        ...

    def document_chunks(self, doc_id: str, page: int | None = None) -> list[SearchChunk]:
        """A document's chunks in stored order (those spanning ``page``, if given)."""
        ...

    def last_chunks(self) -> list[SearchChunk]:
        """Each document's last stored chunk, in stored order (which document came last)."""
        ...


@runtime_checkable
class SearchingStore(KnowledgeStore, CandidateSearch, Protocol):
    """A knowledge store that searches inside itself (PostgreSQL)."""
