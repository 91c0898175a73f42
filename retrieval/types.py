"""The shared types of retrieval, at the bottom of the package: every stage imports them, and the
pipeline (retrieval/pipeline.py) that composes the stages is imported by none of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from documents.doc_profile import DocProfile


class SearchIndex(Protocol):
    """What the stages ask of a corpus's index: the in-memory one (retrieval/hybrid_index.py), or
    one over a query's candidates found inside the store (retrieval/candidate_index.py)."""

    vectors: np.ndarray  # one float32 row per corpus row

    def dense(self, query_vector: np.ndarray, depth: int = ...) -> list[int]:
        """Rows of the ``depth`` most similar vectors, best first."""
        ...

    def similarities(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray: ...

    def keyword_scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query``."""
        ...

    def distinctive(self, term: str) -> bool:
        """Whether few passages of the knowledge base hold ``term``."""
        ...


@dataclass(frozen=True)
class Row:
    """One indexed passage."""

    doc_id: str
    file: str
    page_start: int
    page_end: int
    text: str
    context: str  # the heading of its page (statement title, column years)


@dataclass
class Corpus:
    """An immutable snapshot of the knowledge base that searches run against."""

    index: SearchIndex
    rows: list[Row]
    profiles: dict[str, DocProfile]
    names: dict[str, frozenset[str]]  # distinctive company words per document
    doc_rows: dict[str, np.ndarray]  # document -> its row numbers (of those the corpus holds)
    labels: dict[str, str]  # document -> its label (company, form, period, file stem)
    ocr_pages: dict[str, frozenset[int]] = field(default_factory=dict)  # document -> pages read by OCR
    units: dict[str, str] = field(default_factory=dict)  # document -> "section" or "paragraph" if not pages

    def read_by_ocr(self, row: Row) -> bool:
        """Whether any page of the passage's text came from OCR."""
        pages = self.ocr_pages.get(row.doc_id, frozenset())
        return any(p in pages for p in range(row.page_start, row.page_end + 1))
