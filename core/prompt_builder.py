"""The messages sent to the model: system prompt (+ grounding rule), trimmed history, question.

The grounding rule goes in the system prompt, so the prompt's start is the same for every
grounded question and llama.cpp reuses its cached evaluation; the numbered sources go last,
with the question.
"""

from __future__ import annotations

from core import prompts
from core.events import Source
from core.history import trim_history
from core.options import AskOptions
from models.llm_base import LLM, Message


def build_messages(
    llm: LLM,
    history: list[Message],
    question: str,
    sources: list[Source],
    options: AskOptions,
    max_answer_tokens: int,
    grounded: bool,
) -> list[Message]:
    """``grounded``: documents are in use, so the rule is stated even when nothing was retrieved
    (keeping the cached prompt prefix the same from one question to the next)."""
    system = prompts.system_prompt(options.preset, options.custom_prompt)
    content = question
    if options.documents_only:
        system = f"{system}\n{prompts.GROUNDING_STRICT}"
    elif grounded:
        system = f"{system}\n{prompts.GROUNDING}"
    if sources:
        passages = "\n\n".join(
            f"[{s.number}] {s.file} {_page_label(s)}\n{s.excerpt or s.text}" for s in sources
        )
        content = f"Sources:\n{passages}\n\nQuestion: {question}"
    return trim_history(
        {"role": "system", "content": system},
        history,
        {"role": "user", "content": content},
        llm.context_tokens() - max_answer_tokens,
        llm.count_tokens,
    )


def _page_label(source: Source) -> str:
    if source.page_start == source.page_end:
        return f"p.{source.page_start}"
    return f"pp.{source.page_start}-{source.page_end}"
