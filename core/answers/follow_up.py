"""Questions that refer back to the chat ("And its net income?", "How did that compare with a
year earlier?") are searched for together with the questions they follow: alone, their words name
nothing the documents could match, and the answer was made up from the chat or not found.

A pattern of openers and pronouns decides, not a model call: rewriting the question with the
built-in 0.5B model would cost about a second before every answer, and it makes up words.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from typing import Protocol, TypeVar

from models.llm_base import Message
from retrieval.document_overview import asks_about_document

_OPENER = re.compile(r"^\W*(and|also|what about|how about|same for|then)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(it|its|they|them|their|these|those|this|that|he|she|his|her)\b", re.IGNORECASE)
#: A capitalised word after the first, not "I": the question names its own subject ("... that
#: Intel faces").
_NAME = re.compile(r"(?<=\s)(?!I\b)[A-Z][\w&.-]*")
MAX_EARLIER = 2  # questions taken together at most, besides the new one
MAX_EARLIER_CHARS = 300  # of each: a pasted page before "And what does it say about X?" is cut


def refers_back(question: str) -> bool:
    """Whether ``question`` leans on the one before: it opens with "and", "what about" ..., or it
    has a pronoun and names nothing itself."""
    if _OPENER.search(question):
        return True
    return bool(_PRONOUN.search(question)) and not _NAME.search(question.strip())


def search_texts(question: str, history: list[Message]) -> list[str]:
    """What to search the documents with, best first: a question that refers back together with
    the questions it follows, then the question alone (not for one about a whole document: its
    passages would come from the document added last)."""
    if not refers_back(question):
        return [question]
    earlier: list[str] = []
    for message in reversed(history):
        if message["role"] != "user":
            continue
        earlier.insert(0, message["content"][:MAX_EARLIER_CHARS])
        if len(earlier) >= MAX_EARLIER or not refers_back(message["content"]):
            break
    if not earlier:
        return [question]
    together = " ".join([*earlier, question])
    if asks_about_document(question):  # "Summarize it": the document the chat was about, only
        return [together]
    return [together, question]


class _Passage(Protocol):
    file: str
    page_start: int
    text: str


P = TypeVar("P", bound=_Passage)


def interleaved(results: Sequence[Sequence[P]]) -> list[P]:
    """Passages of several searches taken in turn (the first of each, then the second ...), each
    once, as many as the longest search returned: a follow-up that changes the subject ("And what
    class should I fly?" after hotels) keeps its own best passage beside the one the chat's subject
    finds."""
    longest = max((len(r) for r in results), default=0)
    seen: set[Hashable] = set()
    out: list[P] = []
    for rank in range(longest):
        for result in results:
            if rank < len(result):
                passage = result[rank]
                key = (passage.file, passage.page_start, passage.text)
                if key not in seen:
                    seen.add(key)
                    out.append(passage)
    return out[:longest]
