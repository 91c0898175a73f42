"""Fit a conversation into the model's context window: oldest turns go first, the system prompt never."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from models.llm_base import Message

#: "[1]", "[2, 3]" citing a passage; not an index in code ("a[1]", "f()[1]").
_MARKER = r"\[\d{1,2}(?:\s*,\s*\d{1,2})*\]"
_CITATION = re.compile(rf"(?m)^{_MARKER}[ \t]?|[ \t]?(?<![\w\])]){_MARKER}")
_FENCE = "```"


def trim_history(
    system: Message,
    history: list[Message],
    question: Message,
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> list[Message]:
    """Return ``[system, *recent history, question]`` within ``budget_tokens``.

    The system prompt and the new question are always kept; earlier messages are added
    newest first while they fit. A kept history never starts with an assistant reply
    whose question was dropped.
    """
    used = count_tokens(system["content"]) + count_tokens(question["content"]) + 2 * PER_MESSAGE
    return [system, *recent_history(history, budget_tokens - used, count_tokens), question]


PER_MESSAGE = 4  # role markers and separators the chat template adds around each message


def recent_history(
    history: list[Message], budget_tokens: int, count_tokens: Callable[[str], int]
) -> list[Message]:
    """The newest messages of ``history`` that fit in ``budget_tokens``, never starting with an
    assistant reply whose question was dropped."""
    used = 0
    kept: list[Message] = []
    for message in reversed(history):
        cost = count_tokens(message["content"]) + PER_MESSAGE
        if used + cost > budget_tokens:
            break
        kept.append(message)
        used += cost
    kept.reverse()
    while kept and kept[0]["role"] == "assistant":
        kept.pop(0)
    return kept


def without_citations(history: list[Message]) -> list[Message]:
    """Earlier answers without their citation markers: the passages they cite are not in the next
    prompt (a new question's passages are numbered afresh), and a model shown "[1]" in the chat
    writes it again where nothing is cited. Code blocks are left as they are."""
    return [
        {**m, "content": _strip_citations(m["content"])} if m["role"] == "assistant" else m for m in history
    ]


def _strip_citations(text: str) -> str:
    parts = text.split(_FENCE)
    parts[::2] = [_CITATION.sub("", part) for part in parts[::2]]  # outside ``` fences
    return _FENCE.join(parts)


def chat_history(messages: list[Any]) -> list[Message]:
    """A stored chat (``StoredMessage``s) as the model is shown it: questions and answers with
    text, their citation markers taken out (``without_citations``)."""
    said = [m for m in messages if m.role in ("user", "assistant") and m.content]
    return without_citations([{"role": m.role, "content": m.content} for m in said])
