"""In-memory hybrid index: FAISS (exact inner product on normalised vectors) + BM25 (bm25s),
fused by reciprocal rank fusion. Built from the knowledge base's SQLite rows; never persisted
itself, so it can never disagree with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RRF_K = 60  # the constant from Cormack et al.; damps the weight of top ranks
CANDIDATES = 50  # how deep each retriever looks before fusion


@dataclass(frozen=True)
class Ranked:
    position: int  # row in the index (same order as the texts given to build)
    score: float  # fused score normalised to 0-1 (1 = first in both rankings)
    similarity: float  # cosine similarity of the vectors


class HybridIndex:
    def __init__(self, vectors: np.ndarray, texts: list[str]):
        import bm25s
        import faiss
        from bm25s.tokenization import Tokenizer

        self.size = len(texts)
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._faiss = faiss.IndexFlatIP(self._vectors.shape[1] if self.size else 384)
        if self.size:
            self._faiss.add(self._vectors)
        self._tokenizer = Tokenizer(stopwords="english")
        self._bm25 = bm25s.BM25()
        if self.size:
            ids = self._tokenizer.tokenize(texts, show_progress=False, return_as="ids")
            self._bm25.index(ids, show_progress=False)

    def search(
        self, query_vector: np.ndarray, query: str, k: int, min_similarity: float = 0.0
    ) -> list[Ranked]:
        if not self.size or k <= 0:
            return []
        depth = min(CANDIDATES, self.size)
        sims, rows = self._faiss.search(query_vector.reshape(1, -1).astype(np.float32), depth)
        vector_ranking = [int(r) for r in rows[0] if r >= 0]
        fused: dict[int, float] = {}
        for rank, row in enumerate(vector_ranking):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        for rank, row in enumerate(self._keyword_ranking(query, depth)):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank + 1)
        best = 2.0 / (RRF_K + 1)
        ranked = []
        for row, score in sorted(fused.items(), key=lambda item: -item[1]):
            similarity = float(self._vectors[row] @ query_vector)
            if similarity < min_similarity:
                continue
            ranked.append(Ranked(row, score / best, similarity))
            if len(ranked) == k:
                break
        return ranked

    def _keyword_ranking(self, query: str, depth: int) -> list[int]:
        ids = self._tokenizer.tokenize([query], update_vocab=False, show_progress=False, return_as="ids")
        if not ids or not ids[0]:
            return []
        rows, scores = self._bm25.retrieve(ids, k=depth, show_progress=False, n_threads=1)
        return [int(r) for r, s in zip(rows[0], scores[0], strict=True) if s > 0]
