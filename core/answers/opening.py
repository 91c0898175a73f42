"""The opening of an answer about a figure: a sentence stating it, written from the passage line
most likely to hold it (core.answers.figure_sentence).

A 0.5B model often skips the figure or writes one from nowhere, and a quoted table row alone is
not an answer a person can read. For a backend that can continue an answer it was given the start
of (``LLM.continues_answers``), the answer therefore starts with that sentence (the figure as
printed, its unit, its period and its [n]), and the model writes the rest. The line comes from the
best-ranked passage that has one of the likely answer lines (``core.answers.context``); a line
that PDF extraction ran several rows into is split into its rows, and the row whose label shares
most words with the question is taken. When no such line can be read as a statement row, there is
no opening and the model answers alone. Measured on rag-bench in BENCHMARKS.md.
"""

from __future__ import annotations

import re

from core.answers.figure_sentence import figure_sentence
from core.answers.statement_lines import parse_line, table_rows
from core.events import Source

_WORD = re.compile(r"[a-z]{3,}")


def answer_opening(sources: list[Source], question: str = "") -> str:
    """The sentence for the first passage with a likely answer line that reads as a statement row,
    and a space for the model to go on after it; else ""."""
    for source in sources:
        for line in source.answer_lines[:1]:
            for row in _rows_for(line, question):
                sentence = figure_sentence(source, row, question)
                if sentence:
                    return sentence + " "
    return ""


def _rows_for(line: str, question: str) -> list[str]:
    """``line`` itself, or the rows it runs together, those naming more of the question first
    (only rows that share a word with it: another row's figure would answer something else)."""
    rows = table_rows(line)
    if len(rows) <= 1:
        return [line]
    asked = set(_WORD.findall(question.lower()))
    shared = {row: _shared_words(row, asked) for row in rows}  # each row parsed once
    ranked = sorted(rows, key=shared.__getitem__, reverse=True)
    return [row for row in ranked if shared[row]]


def _shared_words(row: str, asked: set[str]) -> int:
    parsed = parse_line(row)
    return len(asked & set(_WORD.findall(parsed.label.lower()))) if parsed else 0
