"""The opening of an answer about a figure: a sentence stating it, written from the passage line
most likely to hold it (core.answers.figure_sentence).

A 0.5B model often skips the figure or writes one from nowhere, and a quoted table row alone is
not an answer a person can read. For a backend that can continue an answer it was given the start
of (``LLM.continues_answers``), the answer therefore starts with that sentence (the figure as
printed, its unit, its period and its [n]), and the model writes the rest. The line comes from the
best-ranked passage that has one of the likely answer lines (``core.answers.context``); when no
such line can be read as a statement row, there is no opening and the model answers alone.
Measured on rag-bench in BENCHMARKS.md.
"""

from __future__ import annotations

from core.answers.figure_sentence import figure_sentence
from core.events import Source


def answer_opening(sources: list[Source], question: str = "") -> str:
    """The sentence for the first passage with a likely answer line that reads as a statement row,
    and a space for the model to go on after it; else ""."""
    for source in sources:
        for line in source.answer_lines[:1]:
            sentence = figure_sentence(source, line, question)
            if sentence:
                return sentence + " "
    return ""
