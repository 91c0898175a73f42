"""The PostgreSQL store's search inside the database (the ``CandidateSearch`` of storage/base.py):
what one query needs, read in one snapshot, so no process holds every chunk in memory and a chunk
another process added is found by the next query."""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager

import numpy as np
import psycopg

from storage.base import Candidate, QueryCandidates, SearchChunk
from storage.postgres import search


class PostgresSearch:
    """Candidate search; the store it is part of gives the transactions."""

    def _transaction(self) -> AbstractContextManager[psycopg.Connection]:
        raise NotImplementedError  # PostgresKnowledgeStore's: one transaction in its schema

    def dense_candidates(self, vector: np.ndarray, k: int) -> list[Candidate]:
        """The ``k`` chunks nearest ``vector`` by cosine, through the HNSW index."""
        with self._transaction() as db:
            found = search.dense_top(db, vector, k)
            return _candidates(db, found)

    def keyword_candidates(self, text: str, k: int) -> list[Candidate]:
        """The ``k`` chunks with the best BM25 for ``text``, best first."""
        with self._transaction() as db:
            query = search.keyword_query(db, text)
            return _candidates(db, search.keyword_top(db, query, k)[0] if query else [])

    def query_candidates(
        self, vector: np.ndarray, text: str, depth: int, documents: Collection[str]
    ) -> QueryCandidates:
        with self._transaction() as db:
            db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # one snapshot for all
            generation = search.generation(db)
            dense = [seq for seq, _ in search.dense_top(db, vector, depth)]
            query = search.keyword_query(db, text)
            top, keyword = search.keyword_top(db, query, depth, dense, documents) if query else ([], {})
            chunks = search.chunks(
                db,
                "c.seq IN (SELECT unnest(%(seqs)s::bigint[]) "
                "UNION SELECT seq FROM chunks WHERE doc_id = ANY(%(docs)s))",
                {"seqs": sorted({*dense, *(s for s, _ in top)}), "docs": list(documents)},
            )
            total, _ = search.stats(db)
        return QueryCandidates(generation, chunks, dense, keyword, total)

    def keyword_scores(self, text: str, seqs: Collection[int]) -> dict[int, float]:
        with self._transaction() as db:
            query = search.keyword_query(db, text)
            return search.keyword_of(db, query, seqs) if query else {}

    def chunks_holding(self, terms: Collection[str]) -> int:
        with self._transaction() as db:
            row = db.execute(
                "SELECT count(DISTINCT seq) FROM chunk_terms WHERE term = ANY(%s)", (list(terms),)
            ).fetchone()
            return int(row[0]) if row else 0

    def documents_holding(self, terms: Collection[str]) -> dict[str, set[str]]:
        with self._transaction() as db:
            rows = db.execute(
                "SELECT DISTINCT t.term, c.doc_id FROM chunk_terms t JOIN chunks c ON c.seq = t.seq "
                "WHERE t.term = ANY(%s)",
                (list(terms),),
            ).fetchall()
        found: dict[str, set[str]] = {t: set() for t in terms}
        for term, doc in rows:
            found[term].add(doc)
        return found

    def document_chunks(self, doc_id: str, page: int | None = None) -> list[SearchChunk]:
        where = "c.doc_id = %(doc)s"
        if page is not None:
            where += " AND c.page_start <= %(page)s AND c.page_end >= %(page)s"
        with self._transaction() as db:
            return search.chunks(db, where, {"doc": doc_id, "page": page})

    def last_chunks(self) -> list[SearchChunk]:
        with self._transaction() as db:
            where = (
                "c.seq IN (SELECT last.seq FROM documents e CROSS JOIN LATERAL (SELECT seq FROM chunks "
                "WHERE doc_id = e.id ORDER BY seq DESC LIMIT 1) AS last)"
            )
            return search.chunks(db, where, {})


def _candidates(db: psycopg.Connection, found: list[tuple[int, float]]) -> list[Candidate]:
    """The chunks ``found`` (seq, score) as candidates, in the order found."""
    by_seq = {c.seq: c for c in search.chunks(db, "c.seq = ANY(%(seqs)s)", {"seqs": [s for s, _ in found]})}
    return [
        Candidate(c.doc_id, c.chunk_id, c.page_start, c.page_end, c.text, score)
        for seq, score in found
        if (c := by_seq.get(seq))
    ]
