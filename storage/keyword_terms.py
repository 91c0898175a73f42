"""The keyword side of search, exactly as bm25s ranks it in memory (retrieval/hybrid_index.py):
bm25s's own tokenizer (lower case, ``\\b\\w\\w+\\b``, its English stopwords, no stemming), its
default BM25 (Lucene: k1 1.5, b 0.75, idf ``ln(1 + (N - df + 0.5) / (df + 0.5))``, a passage's
length = its token count), for a store that keeps {term: tf} per passage and scores in SQL.

bm25s gives a passage with no token the token "" (length 1), and a query with no indexed token
the query [""]; a query token that occurs twice counts twice.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from functools import cache

import numpy as np

K1 = 1.5
B = 0.75
EMPTY = ""  # bm25s's token of a passage with no other


def indexed_text(label: str, context: str, text: str) -> str:
    """The text a passage's keywords are read from: its document's label, page heading, text."""
    return f"{label}\n{context}\n{text}"


@cache
def _rules() -> tuple[Callable[[str], list[str]], frozenset[str]]:
    from bm25s.tokenization import Tokenizer  # its splitter and stopwords, not a copy of them

    tokenizer = Tokenizer(stopwords="english")
    return tokenizer.splitter, frozenset(tokenizer.stopwords)


def query_tokens(text: str) -> list[str]:
    """The text's tokens in order, repeats kept, stopwords dropped ([] when none)."""
    split, stopwords = _rules()
    return [w for w in split(text.lower()) if w not in stopwords]


def term_counts(text: str) -> tuple[dict[str, int], int]:
    """A passage's {term: tf} and its length as bm25s indexes it."""
    found = query_tokens(text) or [EMPTY]
    return dict(Counter(found)), len(found)


def idf(df: int, n: int) -> float:
    """bm25s's Lucene idf of a term in ``df`` of ``n`` passages."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def bm25_scores(query: Sequence[str], passages: Sequence[tuple[dict[str, int], int]]) -> np.ndarray:
    """bm25s's scores (float32, as it stores them) of every passage for the query's tokens, with
    the document frequencies and average length of ``passages`` (the reference for SQL scoring)."""
    n = len(passages)
    scores = np.zeros(n, dtype=np.float32)
    if not n:
        return scores
    avgdl = sum(length for _, length in passages) / n
    df = Counter(term for terms, _ in passages for term in terms)
    known = [t for t in query if t in df] or ([EMPTY] if EMPTY in df else [])
    for term in known:
        weight = float(np.float32(idf(df[term], n)))  # bm25s keeps idf as float32
        for i, (terms, length) in enumerate(passages):
            tf = terms.get(term, 0)
            if tf:
                part = weight * tf / (K1 * ((1 - B) + B * length / avgdl) + tf)
                scores[i] += np.float32(part)
    return scores
