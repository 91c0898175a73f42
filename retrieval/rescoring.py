"""Re-score candidate passages without a cross-encoder (none ships its weights in a package).

Each candidate gets a weighted sum of features that are cheap and say different things:
- ``similarity``: cosine of question and passage (MiniLM; meaning);
- ``keyword``: BM25 over passage + document label + page heading, scaled to the best candidate;
- ``document``: the question names this document's company and/or period (retrieval/query_analysis.py);
- ``heading``: the page's heading names the statement the question asks for ("cash flow
  statement" -> "Consolidated Statements of Cash Flows"), or shares its content words.

The weights were set on ../shared/data/rag-bench (BENCHMARKS.md has each feature's effect).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from documents.page_context import heading_names_statement
from retrieval.query_analysis import DocumentMatch, QueryIntent, content_terms

if TYPE_CHECKING:
    from retrieval.types import Corpus

W_SIMILARITY = 1.0
W_KEYWORD = 0.35
W_DOCUMENT = 0.45
W_STATEMENT = 0.35
W_IMPLIED_STATEMENT = 0.3
W_HEADING_TERMS = 0.15


#: Words every period heading has ("Three Months Ended April 30"): not a sign of the right page.
PERIOD_WORDS = frozenset(
    "ended ending month three six nine twelve quarter year fiscal period january february march april may "
    "june july august september october november december".split()
) | {str(y) for y in range(1990, 2040)}


@dataclass(frozen=True)
class Scored:
    row: int
    score: float
    similarity: float


def rescore(
    corpus: Corpus,
    intent: QueryIntent,
    query_vector: np.ndarray,
    rows: np.ndarray,
    keyword: np.ndarray,
    matches: dict[str, DocumentMatch],
) -> list[Scored]:
    """Candidates ``rows`` with their combined scores, best first."""
    if len(rows) == 0:
        return []
    similarity = corpus.index.similarities(query_vector, rows)
    kw = keyword[rows]
    kw = kw / kw.max() if kw.max() > 0 else kw
    best_match = max((m.score for m in matches.values()), default=0.0) or 1.0
    heading_cache: dict[str, float] = {}
    out = []
    for i, r in enumerate(rows):
        row = corpus.rows[int(r)]
        match = matches.get(row.doc_id)
        document = match.score / best_match if match else 0.0
        if row.context not in heading_cache:
            heading_cache[row.context] = heading_fit(intent, row.context)
        score = (
            W_SIMILARITY * float(similarity[i])
            + W_KEYWORD * float(kw[i])
            + W_DOCUMENT * document
            + heading_cache[row.context]
        )
        out.append(Scored(int(r), score, float(similarity[i])))
    out.sort(key=lambda s: -s.score)
    return out


def heading_fit(intent: QueryIntent, heading: str) -> float:
    """Bonus for a page heading that names the asked statement or shares the question's words."""
    if not heading:
        return 0.0
    bonus = 0.0
    if intent.statements and any(heading_names_statement(heading, s) for s in intent.statements):
        bonus += W_STATEMENT
    elif not intent.statements and any(
        heading_names_statement(heading, s) for s in intent.implied_statements
    ):
        bonus += W_IMPLIED_STATEMENT
    terms = intent.terms - PERIOD_WORDS
    if terms:
        shared = len(terms & content_terms(heading))
        bonus += W_HEADING_TERMS * min(shared, 2) / 2
    return bonus
