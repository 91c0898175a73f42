"""Is anything retrieved relevant at all, and how relevant is each passage (0-1)?

The score a user sees beside a source is the passage's cosine similarity to the question mapped
linearly from [FLOOR, CEILING] onto [0, 1]: FLOOR is about what unrelated questions reach against
filings, CEILING what a passage that answers the question usually reaches (both measured with
all-MiniLM-L6-v2 on ../shared/data/rag-bench and a set of unrelated questions, BENCHMARKS.md).
A question gets sources only when its best passage reaches ``min_relevance`` *and* shares at
least one content word with what was retrieved (small talk and "what is 12 times 12" share none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.query_analysis import QueryIntent, content_terms

if TYPE_CHECKING:
    from services.retrieval import Row

# Measured on rag-bench (BENCHMARKS.md): the best passage of 26 unrelated questions reached at most
# 0.27 (95th percentile 0.26); a FinanceBench evidence passage reached a median 0.59 (5th-95th
# percentile 0.44-0.76); the best passage of a related question 0.55 even at its 5th percentile.
FLOOR = 0.25
CEILING = 0.75
#: Above this similarity a passage counts as relevant even without a shared word (a paraphrase).
SURE = 0.55


@dataclass(frozen=True)
class RelevanceGate:
    min_relevance: float = 0.25

    @staticmethod
    def relevance(similarity: float) -> float:
        return min(1.0, max(0.0, (similarity - FLOOR) / (CEILING - FLOOR)))

    def accepts(self, intent: QueryIntent, rows: Sequence[Row], similarities: Sequence[float]) -> bool:
        if not rows:
            return False
        best = max(similarities)
        if self.relevance(best) < self.min_relevance:
            return False
        if best >= SURE:
            return True
        retrieved_terms: set[str] = set()
        for row in rows:
            retrieved_terms |= content_terms(f"{row.context}\n{row.text}")
        return bool(intent.terms & retrieved_terms)
