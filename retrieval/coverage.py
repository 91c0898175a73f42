"""Choose the passages to keep from the re-scored candidates.

- A question that spans documents ("across these quarters", "over time", or a company with
  several filings and no period named) gets the best passage of each of those documents first,
  then the best of the rest, so every filing it needs is cited.
- At most ``PER_PAGE`` passages come from one page, so five results are not one table cut in five.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retrieval.query_analysis import DocumentMatch, QueryIntent
from retrieval.rescoring import Scored

if TYPE_CHECKING:
    from retrieval.types import Corpus

PER_PAGE = 2
MAX_DOCUMENTS = 6  # a question spanning more documents gets passages from the best six


def spanned_documents(
    scored: list[Scored], corpus: Corpus, intent: QueryIntent, matches: dict[str, DocumentMatch]
) -> list[str]:
    """The documents a question spans, best first; [] for a question about one document."""
    named = [doc for doc, m in matches.items() if m.company > 0]
    pins_period = bool(intent.years or intent.quarter or intent.latest)
    if not intent.spans_documents and not (len(named) > 1 and not pins_period):
        return []
    if not named:  # "across these quarters" with no company named: the documents near the top
        named = list(dict.fromkeys(corpus.rows[s.row].doc_id for s in scored[:20]))
    best: dict[str, float] = {}
    for s in scored:
        doc = corpus.rows[s.row].doc_id
        if doc in named and doc not in best:
            best[doc] = s.score
    ordered = sorted(best, key=lambda d: -best[d])
    return ordered[:MAX_DOCUMENTS] if len(ordered) > 1 else []


def select(
    scored: list[Scored], corpus: Corpus, intent: QueryIntent, matches: dict[str, DocumentMatch], k: int
) -> list[Scored]:
    """Up to ``k`` passages (or one per spanned document, if more), best first within each pass."""
    documents = spanned_documents(scored, corpus, intent, matches)
    limit = max(k, len(documents))
    chosen: list[Scored] = []
    per_page: dict[tuple[str, int], int] = {}

    def take(s: Scored) -> bool:
        row = corpus.rows[s.row]
        key = (row.doc_id, row.page_start)
        if per_page.get(key, 0) >= PER_PAGE or s in chosen:
            return False
        per_page[key] = per_page.get(key, 0) + 1
        chosen.append(s)
        return True

    for doc in documents:
        next((take(s) for s in scored if corpus.rows[s.row].doc_id == doc), None)
    for s in scored:
        if len(chosen) >= limit:
            break
        take(s)
    if documents:  # keep the per-document firsts, then the rest, each in score order
        return chosen[:limit]
    return sorted(chosen, key=lambda s: -s.score)[:limit]
