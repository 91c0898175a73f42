"""Is anything retrieved relevant at all, and how relevant is each passage (0-1)?

The score a user sees beside a source is its ranking score (similarity plus the document, keyword
and statement features of retrieval/rescoring.py) mapped linearly from [FLOOR, SCORE_CEILING]
onto [0, 1], so sources listed best first read from the most relevant down. The gate below uses
the passage's cosine similarity to the question, mapped linearly from [FLOOR, CEILING] onto
[0, 1]: FLOOR is about what unrelated questions reach against
filings, CEILING what a passage that answers the question usually reaches (both measured with
all-MiniLM-L6-v2 on ../shared/data/rag-bench and a set of unrelated questions, BENCHMARKS.md).
A question gets sources only when its best passage reaches ``min_relevance`` *and* shares at
least one content word with what was retrieved (small talk and "what is 12 times 12" share none),
or when a passage names what it asks in the question's own words (``names_the_question``): a
passage of a handbook or a manual covers several topics, and a question about one detail of it
("What is the bicycle scheme worth?") reaches a similarity of only 0.25-0.39 with the whole passage,
while the words it names ("bicycle", "scheme") are in few other passages.
A passage that is neither relevant itself nor shares two of the question's words is not kept,
even when the search filled its places with it (``keeps``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retrieval.query_analysis import QueryIntent, content_terms

if TYPE_CHECKING:
    from retrieval.types import Row

# Measured on rag-bench (BENCHMARKS.md): the best passage of 26 unrelated questions reached at most
# 0.27 (95th percentile 0.26); a FinanceBench evidence passage reached a median 0.59 (5th-95th
# percentile 0.44-0.76); the best passage of a related question 0.55 even at its 5th percentile.
FLOOR = 0.25
CEILING = 0.75
#: The ranking score (similarity plus the document, keyword and statement-heading features) shown
#: as relevance 1: about what the best 5 % of FinanceBench evidence passages reach on rag-bench
#: (5th / 50th / 95th percentile 1.21 / 1.53 / 1.76; bench/relevance_shown.py, BENCHMARKS.md).
SCORE_CEILING = 1.75
#: Above this similarity a passage counts as relevant even without a shared word (a paraphrase).
SURE = 0.55
#: A passage sharing the question's content words counts from this similarity on: the
#: unrelated questions of bench/unrelated_questions.txt that share two words with a filing's passage
#: ("capital", "France") reach at most 0.14 with it; detail questions about a handbook 0.25-0.39.
LEXICAL_FLOOR = 0.2


@dataclass(frozen=True)
class RelevanceGate:
    min_relevance: float = 0.25

    @staticmethod
    def relevance(similarity: float) -> float:
        return min(1.0, max(0.0, (similarity - FLOOR) / (CEILING - FLOOR)))

    @staticmethod
    def shown(score: float) -> float:
        """The relevance shown beside a source, from its ranking score (retrieval/rescoring.py):
        a passage that ranks higher never shows a lower relevance."""
        return min(1.0, max(0.0, (score - FLOOR) / (SCORE_CEILING - FLOOR)))

    def accepts(
        self,
        intent: QueryIntent,
        rows: Sequence[Row],
        similarities: Sequence[float],
        distinctive: Callable[[str], bool],
    ) -> bool:
        """Whether the chosen passages answer the question at all; ``distinctive``: whether a
        word is rare in the knowledge base (HybridIndex.distinctive)."""
        if not rows:
            return False
        best = max(similarities)
        if any(
            names_the_question(intent, row, s, distinctive) for row, s in zip(rows, similarities, strict=True)
        ):
            return True
        if self.relevance(best) < self.min_relevance:
            return False
        if best >= SURE:
            return True
        return any(shared_terms(intent, row) for row in rows)

    def keeps(self, intent: QueryIntent, row: Row, similarity: float) -> bool:
        """Whether a chosen passage is relevant itself, or shares two of the question's words and
        is not unlike it (one shared word is often a word any text has: "many", "time")."""
        if self.relevance(similarity) >= self.min_relevance:
            return True
        return similarity >= LEXICAL_FLOOR and len(shared_terms(intent, row)) >= 2


def shared_terms(intent: QueryIntent, row: Row) -> set[str]:
    """The question's content words found in the passage or its page heading."""
    return set(intent.terms & content_terms(f"{row.context}\n{row.text}"))


def names_the_question(
    intent: QueryIntent, row: Row, similarity: float, distinctive: Callable[[str], bool]
) -> bool:
    """At least two of the question's content words, and at least half of them, are in a passage
    that is not unlike the question (``LEXICAL_FLOOR``), and those words are rare in the knowledge
    base ("bicycle scheme"; not "name" and "new" for "What should I name my new puppy?")."""
    if similarity < LEXICAL_FLOOR:
        return False
    shared = len({term for term in shared_terms(intent, row) if distinctive(term)})
    return shared >= 2 and 2 * shared >= len(intent.terms)
