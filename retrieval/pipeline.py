"""The retrieval pipeline: question -> the passages an answer should be built on, or none.

One place composes the stages, each a small step of its own module:

1. understand the question (retrieval/query_analysis.py): company, period, statement, span;
2. find candidates (retrieval/hybrid_index.py): dense and keyword search over all passages, plus
   every passage of the documents the question names (so the right page of the right filing is
   in the running even when other filings use the same words);
3. re-score them (retrieval/rescoring.py) without a cross-encoder (none ships with its weights);
4. cover the documents a question spans (retrieval/coverage.py);
5. gate on relevance (retrieval/relevance.py): a passage that neither resembles the question nor
   shares a word with it is dropped, and nothing is attached when nothing really matches.

A question about a whole document ("Summarize this document") skips all of it: it gets that
document's opening and most typical passages (retrieval/document_overview.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.coverage import select
from retrieval.document_overview import asks_about_document, chosen_document, overview_rows
from retrieval.hybrid_index import CANDIDATES
from retrieval.query_analysis import QueryIntent, match_documents
from retrieval.relevance import RelevanceGate
from retrieval.rescoring import Scored, rescore
from retrieval.types import Corpus, Row


@dataclass(frozen=True)
class Retrieved:
    """A passage chosen for a question: its calibrated relevance (0-1, from ``score``, so sources
    shown best first read from the most relevant down), its ranking score and its similarity."""

    row: Row
    label: str
    relevance: float
    similarity: float
    score: float


def retrieve(
    corpus: Corpus, intent: QueryIntent, query_vector: np.ndarray, k: int, gate: RelevanceGate
) -> list[Retrieved]:
    """The best ``k`` passages for the question (more when it spans documents), or [] when none
    is relevant. ``query_vector`` embeds ``intent.search_text``."""
    if not corpus.rows or k <= 0:
        return []
    matches = match_documents(intent, corpus.profiles, corpus.names)
    if asks_about_document(intent.text):
        doc = chosen_document(corpus, intent, matches)
        return [  # how typical of the document a passage is: a similarity, shown as one
            Retrieved(corpus.rows[i], corpus.labels[corpus.rows[i].doc_id], gate.relevance(t), t, t)
            for i, t in overview_rows(corpus, doc, k)
        ]
    keyword = corpus.index.keyword_scores(intent.search_text)
    candidates = _candidates(corpus, keyword, query_vector, matches)
    scored = rescore(corpus, intent, query_vector, candidates, keyword, matches)
    chosen = [
        s
        for s in select(scored, corpus, intent, matches, k)
        if gate.keeps(intent, corpus.rows[s.row], s.similarity)
    ]
    rows = [corpus.rows[s.row] for s in chosen]
    if not gate.accepts(intent, rows, [s.similarity for s in chosen], corpus.index.distinctive):
        return []
    return [_retrieved(corpus, s, gate) for s in chosen]


def _candidates(corpus: Corpus, keyword: np.ndarray, query_vector: np.ndarray, matches) -> np.ndarray:
    rows = set(corpus.index.dense(query_vector, CANDIDATES))
    if keyword.any():
        rows.update(int(r) for r in np.argsort(-keyword)[:CANDIDATES] if keyword[r] > 0)
    best = max((m.score for m in matches.values()), default=0.0)
    if best > 0:
        for doc, match in matches.items():
            if match.score == best:
                rows.update(int(r) for r in corpus.doc_rows.get(doc, []))
    return np.array(sorted(rows), dtype=np.int64)


def _retrieved(corpus: Corpus, scored: Scored, gate: RelevanceGate) -> Retrieved:
    row = corpus.rows[scored.row]
    return Retrieved(
        row, corpus.labels[row.doc_id], gate.shown(scored.score), scored.similarity, scored.score
    )
