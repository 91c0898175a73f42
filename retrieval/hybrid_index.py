"""In-memory candidate search: FAISS (exact inner product on normalised vectors) and BM25 (bm25s).

Built from the knowledge base's SQLite rows; never persisted itself, so it can never disagree
with them. It only finds candidates and their raw scores; ranking them is the retrieval
pipeline's job (retrieval/pipeline.py).
"""

from __future__ import annotations

import numpy as np

CANDIDATES = 100  # how deep each retriever looks
#: A word in at most this share of the passages (or in at most two) tells passages apart.
DISTINCTIVE_SHARE = 0.05


class HybridIndex:
    def __init__(self, vectors: np.ndarray, texts: list[str]):
        import bm25s
        import faiss
        from bm25s.tokenization import Tokenizer

        self.size = len(texts)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._faiss = faiss.IndexFlatIP(self.vectors.shape[1] if self.size else 384)
        if self.size:
            self._faiss.add(self.vectors)
        self._tokenizer = Tokenizer(stopwords="english")
        self._bm25 = bm25s.BM25()
        if self.size:
            ids = self._tokenizer.tokenize(texts, show_progress=False, return_as="ids")
            self._bm25.index(ids, show_progress=False)

    def dense(self, query_vector: np.ndarray, depth: int = CANDIDATES) -> list[int]:
        """Rows of the ``depth`` most similar vectors, best first."""
        if not self.size:
            return []
        _, rows = self._faiss.search(query_vector.reshape(1, -1).astype(np.float32), min(depth, self.size))
        return [int(r) for r in rows[0] if r >= 0]

    def similarities(self, query_vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine similarity of the query to the given rows."""
        return self.vectors[rows] @ query_vector.astype(np.float32)

    def keyword_scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query`` (zeros when no query word is indexed)."""
        scores = np.zeros(self.size, dtype=np.float32)
        if not self.size:
            return scores
        ids = self._tokenizer.tokenize([query], update_vocab=False, show_progress=False, return_as="ids")
        if ids and ids[0]:
            scores[:] = self._bm25.get_scores_from_ids(list(ids[0]))
        return scores

    def rows_with_word(self, word: str) -> np.ndarray:
        """Rows whose indexed text contains ``word`` (lower case, as the keyword tokenizer splits)."""
        token = self._tokenizer.get_vocab_dict().get(word)
        if token is None or not self.size:
            return np.zeros(0, dtype=np.int64)
        scores = self._bm25.scores
        return np.asarray(scores["indices"][scores["indptr"][token] : scores["indptr"][token + 1]])

    def distinctive(self, term: str) -> bool:
        """Whether few passages hold ``term`` (a content word, plural "s" dropped: "track" also
        counts "tracks"), so that finding it in a passage says something ("bicycle", not "new")."""
        holding = set(self.rows_with_word(term).tolist()) | set(self.rows_with_word(term + "s").tolist())
        return len(holding) <= max(2, DISTINCTIVE_SHARE * self.size)
