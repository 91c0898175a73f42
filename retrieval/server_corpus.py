"""Corpora of one query's candidates, from a store that searches inside itself (PostgreSQL):
the dense and keyword hits and every passage of the documents the question names (what
retrieval/pipeline.py's ``_candidates`` takes), so the stages run unchanged on a corpus of a few
hundred rows however many the knowledge base holds. Per-document facts (profiles, labels,
distinctive names, OCR pages, units) are one row per document, read again when the store's
generation moves."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from documents.doc_profile import DocProfile
from retrieval.candidate_index import CandidateIndex
from retrieval.document_overview import asks_about_document, chosen_document
from retrieval.hybrid_index import CANDIDATES
from retrieval.query_analysis import QueryIntent, distinctive_names, match_documents
from retrieval.types import Corpus, Row
from storage.base import QueryCandidates, SearchChunk, SearchingStore

ATTEMPTS = 3  # reads of a query's candidates when another process keeps writing meanwhile


@dataclass(frozen=True)
class Documents:
    """What retrieval knows of each document, at the store's ``generation``."""

    generation: int
    profiles: dict[str, DocProfile]
    labels: dict[str, str]
    names: dict[str, frozenset[str]]
    ocr_pages: dict[str, frozenset[int]]
    units: dict[str, str]


class ServerCorpora:
    """A corpus per query (``for_query``) or per page (``for_page``) from ``store``'s search."""

    def __init__(self, store: SearchingStore):
        self.store = store
        self._lock = threading.Lock()
        self._documents: Documents | None = None
        self._holding: dict[tuple[int, tuple[str, ...]], int] = {}

    def reset(self) -> None:
        with self._lock:
            self._documents, self._holding = None, {}

    def documents(self, stale: int | None = None) -> Documents:
        """The per-document facts, read again if none are held or they are of generation ``stale``."""
        with self._lock:
            if self._documents is None or self._documents.generation == stale:
                self._documents = self._read_documents()
                self._holding = {}
            return self._documents

    def _read_documents(self) -> Documents:
        generation = self.store.generation()  # before the rows: a write between reads them again
        stored = self.store.documents()
        profiles = {d.id: DocProfile.from_dict(d.profile) for d in stored}
        labels = {d.id: profiles[d.id].label(d.name) for d in stored}
        words = sorted({w for p in profiles.values() for w in p.names})
        holding = self.store.documents_holding(words) if words else {}
        names = distinctive_names(profiles, lambda word: holding.get(word, set()))
        ocr = {d.id: frozenset(d.ocr_pages) for d in stored if d.ocr_pages}
        units = {d.id: d.unit for d in stored if d.unit != "page"}
        return Documents(generation, profiles, labels, names, ocr, units)

    def for_query(
        self, intent: QueryIntent, embed: Callable[[str], np.ndarray]
    ) -> tuple[Corpus, np.ndarray] | None:
        """The corpus ``intent`` is searched in, and the vector of its search text; None when the
        knowledge base holds no passage."""
        docs = self.documents()
        if not docs.profiles and self.store.generation() == docs.generation:
            return None  # nothing stored: no need to embed the question
        vector = embed(intent.search_text)
        for _ in range(ATTEMPTS):
            matches = match_documents(intent, docs.profiles, docs.names)
            if asks_about_document(intent.text):
                found = self._overview(docs, intent, matches)
            else:
                best = max((m.score for m in matches.values()), default=0.0)
                named = [d for d, m in matches.items() if best > 0 and m.score == best]
                found = self.store.query_candidates(vector, intent.search_text, CANDIDATES, named)
            if found.generation == docs.generation:
                break
            docs = self.documents(stale=docs.generation)
        if not found.total:
            return None
        return self._corpus(docs, found, intent.search_text), vector

    def _overview(self, docs: Documents, intent: QueryIntent, matches) -> QueryCandidates:
        """Each document's last passage (which came last, and its file) and every passage of the
        document the question is about (retrieval/document_overview.py)."""
        generation = self.store.generation()
        last = self.store.last_chunks()
        chunks = last
        if last:
            doc = chosen_document(self._corpus(docs, _found(generation, last), ""), intent, matches)
            held = {c.seq for c in last}
            chunks = sorted(
                [*last, *(c for c in self.store.document_chunks(doc) if c.seq not in held)], key=_seq
            )
        return _found(generation, chunks, total=len(chunks))

    def for_page(self, doc_id: str, page: int) -> Corpus | None:
        """A corpus of the passages spanning one page of a document."""
        docs = self.documents()
        if self.store.generation() != docs.generation:
            docs = self.documents(stale=docs.generation)
        chunks = self.store.document_chunks(doc_id, page)
        return self._corpus(docs, _found(docs.generation, chunks), "") if chunks else None

    def _corpus(self, docs: Documents, found: QueryCandidates, text: str) -> Corpus:
        known = [c for c in found.chunks if c.doc_id in docs.profiles]  # not one added meanwhile
        found = QueryCandidates(found.generation, known, found.dense, found.keyword, found.total)
        rows = [Row(c.doc_id, c.file, c.page_start, c.page_end, c.text, c.context) for c in known]
        doc_of_row = np.array([c.doc_id for c in known])
        doc_rows = {doc: np.flatnonzero(doc_of_row == doc) for doc in dict.fromkeys(doc_of_row.tolist())}
        index = CandidateIndex(
            found,
            text,
            lambda terms: self._chunks_holding(docs.generation, terms),
            self.store.keyword_scores,
        )
        return Corpus(
            index, rows, docs.profiles, docs.names, doc_rows, docs.labels, docs.ocr_pages, docs.units
        )

    def _chunks_holding(self, generation: int, terms: list[str]) -> int:
        key = (generation, tuple(terms))
        if key not in self._holding:
            self._holding[key] = self.store.chunks_holding(terms)
        return self._holding[key]


def _found(generation: int, chunks: list[SearchChunk], total: int | None = None) -> QueryCandidates:
    return QueryCandidates(generation, chunks, [], {}, len(chunks) if total is None else total)


def _seq(chunk: SearchChunk) -> int:
    return chunk.seq
