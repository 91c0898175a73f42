"""Questions about a whole document ("Summarize this document", "What is this form for?").

Such a question resembles no passage in particular, so the relevance gate found nothing and the
model answered without the document. Instead, it gets the document's opening passage (a title,
what the document is) and the passages most typical of it (closest to the mean of its passage
vectors), in the document's order. The document is the one the question names (company, period,
or words of its file name), else the one added last: people ask right after an upload.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

from retrieval.query_analysis import DocumentMatch, QueryIntent, content_terms

if TYPE_CHECKING:
    from retrieval.types import Corpus

_KIND = (
    r"(document|doc|file|pdf|form|paper|report|filing|article|page|text|handbook|manual|guide|"
    r"contract|agreement|policy|book|letter|memo|presentation|transcript|upload)"
)
_SUMMARY = r"(summar(y|ies|i[sz]e|i[sz]ing)|overview|tl;?dr|gist|key (points|takeaways)|main (points|ideas))"
_END = r"(\s+(for me|please|briefly|in (a|one|two|three|five|\d+) \w+))?\W*$"
_ABOUT_DOCUMENT = re.compile(
    # "Summarize the Intel report", "Give me an overview of the travel policy" (not "Summarize the
    # risk factors in the report": that asks about something in it)
    rf"{_SUMMARY}\s+(of\s+)?(this|that|the|my|these)\s+(\w+\s+){{0,2}}?{_KIND}s?{_END}"
    # "What is this form used for?", "What is the document about?"
    rf"|\b(this|that|the|my)\s+(\w+\s+){{0,2}}?{_KIND}s?\s+((is|was)\s+)?(used\s+)?(about|for){_END}"
    rf"|\bwhat\s+(is|'s)\s+(this|that|it)\s+(about|for){_END}"
    # "Summarize it", "tl;dr": a sentence of its own (also after the question a follow-up joins)
    rf"|(^|[.?!]\s+)\W*(summar(y|i[sz]e)(\s+(it|this|that))?|tl;?dr|"
    rf"give me (a|the) (summary|gist|overview)){_END}",
    re.IGNORECASE,
)


def asks_about_document(question: str) -> bool:
    """Whether ``question`` asks about a document as a whole, not about something in it."""
    return bool(_ABOUT_DOCUMENT.search(question))


def chosen_document(corpus: Corpus, intent: QueryIntent, matches: dict[str, DocumentMatch]) -> str:
    """The document the question names (by company and period, the latest of those it names
    alike, or by its file name's words), else the one added last."""
    docs = {doc: rows for doc, rows in corpus.doc_rows.items() if len(rows)}

    def added(doc: str) -> int:
        return int(docs[doc][-1])

    best = max((matches[doc].score for doc in docs if doc in matches), default=0.0)
    if best > 0:
        return max((doc for doc in docs if doc in matches and matches[doc].score == best), key=added)
    named = {
        doc: len(intent.terms & _file_words(corpus.rows[int(rows[0])].file)) for doc, rows in docs.items()
    }
    if max(named.values(), default=0) > 0:
        return max(named, key=named.__getitem__)
    return corpus.rows[-1].doc_id


def _file_words(file: str) -> set[str]:
    return content_terms(re.sub(r"[_\-.]+", " ", file))


#: A signature block or a table of contents says nothing of what a document is about, though its
#: words are the document's most typical ones.
_SIGNED = re.compile(r"/s/|\bduly\s+authorized\b|\btable\s+of\s+contents\b", re.IGNORECASE)
_PAGE_REFERENCE = re.compile(r"(\.{3,}|\s)\s*\d{1,3}\s*$")


def is_boilerplate(text: str) -> bool:
    """A signature block, or a list of contents (most of its lines end in a page number)."""
    if _SIGNED.search(text):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    return len(lines) >= 6 and sum(bool(_PAGE_REFERENCE.search(line)) for line in lines) > len(lines) / 2


def overview_rows(corpus: Corpus, doc: str, k: int) -> list[tuple[int, float]]:
    """The document's opening passage and its ``k - 1`` most typical ones (not its signatures or
    contents), in its order, each with its cosine similarity to the document's mean vector."""
    rows = corpus.doc_rows.get(doc, np.zeros(0, dtype=np.int64))
    if len(rows) == 0 or k <= 0:
        return []
    vectors = corpus.index.vectors[rows]
    centre = vectors.mean(axis=0)
    centre /= np.linalg.norm(centre) or 1.0
    typical = vectors @ centre
    most_typical = [
        int(i)
        for i in np.argsort(-typical)
        if int(i) != 0 and not is_boilerplate(corpus.rows[int(rows[i])].text)
    ]
    order = sorted([0, *most_typical[: k - 1]])
    return [(int(rows[i]), float(typical[i])) for i in order]
