"""The messages sent to the model: system prompt (+ grounding rule), trimmed history, question.

The grounding rule goes in the system prompt, so the prompt's start is the same for every
grounded question and llama.cpp reuses its cached evaluation; the numbered sources go last,
with the question.
"""

from __future__ import annotations

import re

from core.answers import prompts
from core.answers.history import trim_history
from core.events import Source
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
    opening: str = "",
) -> list[Message]:
    """``grounded``: passages were found, so the grounding rule goes in the system prompt (the same
    for every grounded question, so llama.cpp reuses its cached evaluation). ``opening``: the start
    of the answer (core.answers.opening), sent as an assistant message for the model to continue;
    the likely answer lines are then not repeated before the question, since the answer quotes one."""
    content = question
    if sources:
        hints = "" if opening else answer_lines_block(sources)
        content = f"{passages_block(sources)}\n\n{hints}Question: {question}"
    room = llm.context_tokens() - max_answer_tokens - (llm.count_tokens(opening) if opening else 0)
    messages = trim_history(
        system_message(options, grounded),
        history,
        {"role": "user", "content": content},
        room,
        llm.count_tokens,
    )
    return [*messages, {"role": "assistant", "content": opening}] if opening else messages


def system_message(options: AskOptions, grounded: bool) -> Message:
    """The system prompt, with the grounding rule when the answer comes from passages."""
    system = prompts.system_prompt(options.preset, options.custom_prompt)
    if grounded and options.documents_only:
        system = f"{system}\n{prompts.GROUNDING_STRICT}"
    elif grounded:
        system = f"{system}\n{prompts.GROUNDING}"
    return {"role": "system", "content": system}


def passages_block(sources: list[Source]) -> str:
    """The passages as quoted material: number, document, page, then the excerpt (which starts with
    its page's heading: statement title, column years) in triple quotes; triple quotes inside a
    passage are flattened so it cannot close its own quote."""
    blocks = []
    for s in sources:
        body = (s.excerpt or s.text).replace(chr(34) * 3, chr(34))
        blocks.append(f'[{s.number}] {prompt_label(s)}, {s.pages}:\n"""\n{body}\n"""')
    return "\n\n".join(blocks)


def answer_lines_block(sources: list[Source]) -> str:
    """The lines most likely to hold the figure asked for, each with its passage number and in
    quotes (they are document text too; a quote inside one is made single so it cannot close it),
    or ""."""
    lines = [quoted_line(s.number, line) for s in sources for line in s.answer_lines]
    return f"Lines most likely to hold the answer: {'; '.join(lines)}\n\n" if lines else ""


def quoted_line(number: int, line: str) -> str:
    """``[n] "line"``, a double quote inside the line made single so it cannot close the quote."""
    return f'[{number}] "{line.replace(chr(34), chr(39))}"'


def prompt_label(source: Source) -> str:
    """The document label, short: "Intel Corporation, 10-Q, quarter ended April 1, 2023"."""
    label = re.sub(r"\s*\([^()]*\)$", "", source.label) or source.file
    return label.replace("quarterly period ended", "quarter ended").replace("fiscal year ended", "year ended")
