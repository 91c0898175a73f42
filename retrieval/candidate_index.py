"""The index of a corpus built from one query's candidates found inside the store (PostgreSQL):
it answers the stages' questions (retrieval/types.py ``SearchIndex``) as the in-memory index
(retrieval/hybrid_index.py) would over every passage, from the candidates and the store."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from retrieval.hybrid_index import CANDIDATES, DISTINCTIVE_SHARE
from storage.base import QueryCandidates


class CandidateIndex:
    """Rows are ``found.chunks`` in stored order; ``holding(terms)``: how many passages of the
    knowledge base hold any of them; ``rescore(text, seqs)``: BM25 of other text."""

    def __init__(
        self,
        found: QueryCandidates,
        text: str,
        holding: Callable[[list[str]], int],
        rescore: Callable[[str, list[int]], dict[int, float]],
    ):
        self.size = found.total
        self._seqs = [c.seq for c in found.chunks]
        row_of = {seq: row for row, seq in enumerate(self._seqs)}
        self.vectors = (
            np.stack([c.vector for c in found.chunks]).astype(np.float32, copy=False)
            if found.chunks
            else np.zeros((0, 0), dtype=np.float32)
        )
        self._dense = [row_of[seq] for seq in found.dense if seq in row_of]
        self._text = text
        self._keyword = self._scores(found.keyword)
        self._holding = holding
        self._rescore = rescore

    def _scores(self, by_seq: dict[int, float]) -> np.ndarray:
        return np.array([by_seq.get(seq, 0.0) for seq in self._seqs], dtype=np.float32)

    def dense(self, query_vector: np.ndarray, depth: int = CANDIDATES) -> list[int]:
        """The store's nearest passages (found for this query's vector), best first."""
        return self._dense[:depth]

    def similarities(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to the given rows."""
        return self.vectors[rows] @ query_vector.astype(np.float32)

    def keyword_scores(self, query: str) -> np.ndarray:
        """BM25 of every row for ``query`` (the store's, as bm25s scores it)."""
        if query == self._text:
            return self._keyword.copy()
        return self._scores(self._rescore(query, self._seqs))

    def distinctive(self, term: str) -> bool:
        """As HybridIndex.distinctive, counted in the store over the whole knowledge base."""
        return self._holding([term, term + "s"]) <= max(2, DISTINCTIVE_SHARE * self.size)
