"""The opening of an answer about a figure: the passage line most likely to hold it, quoted.

The grounding rule asks the model to copy the line that holds the answer before answering, and a
0.5B model often skips that and writes a figure from nowhere. For a backend that can continue an
answer it was given the start of (``LLM.continues_answers``), the answer therefore starts with
that line, quoted with its passage number, and the model writes the rest. The line comes from
the best-ranked passage that has one of the likely answer lines (``core.answers.context``); it is
document text, shown as a quote and cited, so the reader can check it. Measured on rag-bench in
BENCHMARKS.md ("Answers that open with the likely line").
"""

from __future__ import annotations

from core.answers.prompt_builder import quoted_line
from core.events import Source


def answer_opening(sources: list[Source]) -> str:
    """``[n] "line"`` and a line break, for the first passage with a likely answer line; else ""."""
    for source in sources:
        if source.answer_lines:
            return quoted_line(source.number, " ".join(source.answer_lines[0].split())) + "\n"
    return ""
