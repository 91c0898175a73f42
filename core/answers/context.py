"""Trim retrieved passages to the lines that answer the question, within a token budget.

On a CPU the model reads the prompt at ~150 tokens/s, so three whole chunks (~650 tokens) cost
~4 s before the first word. Each passage is cut into lines (long ones into sentences); each line
is scored by cosine similarity to the question plus a bonus per question word it contains; the
best lines are kept, in their original order, until the budget is spent. The UI still shows the
whole passage; only the prompt gets the excerpt.

When the question asks for an amount, the best one or two lines holding a figure are also named
as the likely answer lines, repeated just before the question (core/answers/prompt_builder.py): a 0.5B
model copies a figure put next to the question more often than one it has to find in a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from core.answers.figures import find_figures, is_trivial
from core.answers.line_items import Line, line_asked
from core.answers.statement_lines import parse_line
from core.events import Source
from documents.doc_profile import name_words
from documents.page_context import compact_heading
from utils.number_words import NUMBER_WORDS

_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")
_STOP = frozenset(
    "a an and are as at be by did do does for from had has have how in is it its of on or the their "
    "there this to was were what when where which who why will with about any their latest most recent "
    "report reported quarter".split()
)
KEYWORD_BONUS = 0.08
FIGURE_BONUS = 0.2  # a line holding a figure, when the question asks for an amount
#: A statement row printed under a label of the line the question names ("capex" -> "Capital
#: spending", "Purchases of property, plant and equipment"): filings word lines their own way.
LINE_BONUS = 0.25
_ASKS_FOR_FIGURE = re.compile(
    r"\b(how (much|many)|amount|total|revenue|sales|income|expenses?|expenditures?|costs?|margin|"
    r"ratio|percent(age)?|rate|price|value|cash|debt|assets|liabilities|earnings|profit|loss|"
    r"dividends?|growth|change|increase|decrease|eps|ebitda|capex|budgets?|allowances?|stipends?|"
    r"reimburse\w*|fees?|salar(y|ies)|wages?|maximum|minimum)\b|[$%]|\b(usd|millions?|billions?)\b",
    re.IGNORECASE,
)
#: A page number: a line that is one bare number, or a heading or footer of five words or more
#: ending in one ("Financial Statements Notes to Financial Statements 22").
_PAGE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$|^\s*(?:\S+\s+){5,}\d{1,3}\s*$")
MAX_HEADING_CHARS = 70  # of a page's heading put before its lines (statement title, column years)
MAX_SEGMENT_WORDS = 60


def segments(text: str) -> list[str]:
    """Lines of a passage; lines longer than MAX_SEGMENT_WORDS are cut into sentences."""
    out: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if len(line.split()) <= MAX_SEGMENT_WORDS:
            out.append(line)
        else:
            out.extend(s for s in _SENTENCE.split(line) if s.strip())
    return out


_ORDINAL_DIGITS = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def _term(word: str) -> str:
    """A word as lines are matched on: a number word as its digits ("third year" -> "Year 3"), an
    ordinal without its suffix, a plural without its "s"."""
    word = str(NUMBER_WORDS[word]) if word in NUMBER_WORDS else word
    ordinal = _ORDINAL_DIGITS.match(word)
    return ordinal.group(1) if ordinal else word.rstrip("s")


def _terms(text: str) -> set[str]:
    """A text's words for matching lines to a question: stopwords out, numbers as digits."""
    terms = {_term(w) for w in _WORD.findall(text.lower()) if w not in _STOP}
    return {t for t in terms if len(t) > 1 or t.isdigit()}


def asks_for_figure(question: str) -> bool:
    """Whether a question asks for an amount, a rate or a change (so its answer is a figure)."""
    return bool(_ASKS_FOR_FIGURE.search(question))


def holds_figure(line: str) -> bool:
    """Whether a line holds a figure worth quoting: not only years, days or small counts, and not
    a page number alone or ending a heading or footer ("... Results of Operations 30")."""
    figures = [f for f in find_figures(line) if not is_trivial(f)]
    if len(figures) == 1 and figures[0].text.isdigit() and _PAGE_NUMBER.search(line):
        return False
    return bool(figures)


def score_lines(
    question: str, sources: list[Source], embed: Callable[[list[str]], np.ndarray]
) -> tuple[list[tuple[int, int, str]], np.ndarray]:
    """Every distinct line of the sources as (source index, line index, line), and how well each
    answers ``question``: cosine similarity, plus a bonus per question word and, when the question
    asks for an amount, for holding a figure."""
    pieces, seen = [], set()
    for i, source in enumerate(sources):
        for j, seg in enumerate(segments(source.text)):
            key = " ".join(seg.split()).lower()
            if key not in seen:  # overlapping chunks of one page repeat lines: offer each once
                seen.add(key)
                pieces.append((i, j, seg))
    if not pieces:
        return [], np.zeros(0)
    question = without_company(question, sources)
    vectors = embed([question] + [seg for _, _, seg in pieces])
    question_terms = _terms(question)
    scores = vectors[1:] @ vectors[0]
    scores = scores + KEYWORD_BONUS * np.array([len(question_terms & _terms(seg)) for _, _, seg in pieces])
    if asks_for_figure(question):  # the line that answers is usually a table row with the figure
        scores = scores + FIGURE_BONUS * np.array([holds_figure(seg) for _, _, seg in pieces])
        named = line_asked(question)
        if named is not None:
            scores = scores + LINE_BONUS * np.array([_reports(named, seg) for _, _, seg in pieces])
    return pieces, scores


def _reports(line: Line, segment: str) -> bool:
    """Whether ``segment`` is a statement row of ``line``."""
    row = parse_line(segment)
    return row is not None and line.reports(row.label)


def without_company(question: str, sources: list[Source]) -> str:
    """``question`` without the words naming the passages' companies ("What was Intel's revenue?"
    -> "What was revenue?"): every line of Intel's filing is Intel's, so the name only pulls lines
    that happen to say it ("Net income attributable to Intel") above the line asked for."""
    names = set().union(*(name_words(s.label.split(",")[0]) for s in sources))
    if not names:
        return question
    kept = [w for w in question.split() if re.sub(r"['’]s$", "", w.strip("?.,!:;()").lower()) not in names]
    return " ".join(kept) or question


def compress_sources(
    question: str,
    sources: list[Source],
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    embed: Callable[[list[str]], np.ndarray],
    answer_line_count: int = 0,
) -> list[Source]:
    """The sources with ``excerpt`` set to their page heading and best lines, all excerpts (headings
    included) together within budget. When the question asks for an amount, the
    ``answer_line_count`` best excerpt lines holding a figure are also set as ``answer_lines``."""
    if budget_tokens <= 0 or not sources:
        return sources
    pieces, scores = score_lines(question, sources, embed)
    if not pieces:
        return sources
    headings = [compact_heading(s.context, MAX_HEADING_CHARS) for s in sources]
    heading_cost = [count_tokens(h) + 1 if h else 0 for h in headings]
    chosen: set[int] = set()
    opened: set[int] = set()  # sources with a line chosen: their heading is paid for
    used = 0
    order = np.argsort(-scores)  # best line first
    for k in order:
        i = pieces[k][0]
        cost = count_tokens(pieces[k][2]) + 1 + (0 if i in opened else heading_cost[i])
        if used + cost > budget_tokens:
            continue
        chosen.add(int(k))
        opened.add(i)
        used += cost
    answer_lines: dict[int, list[str]] = {}
    if answer_line_count and asks_for_figure(question):
        best = [int(k) for k in order if int(k) in chosen and holds_figure(pieces[k][2])]
        for k in best[:answer_line_count]:
            answer_lines.setdefault(pieces[k][0], []).append(pieces[k][2])
    excerpts: dict[int, list[tuple[int, str]]] = {}
    for k in sorted(chosen):
        i, j, seg = pieces[k]
        excerpts.setdefault(i, []).append((j, seg))
    out = []
    for i, source in enumerate(sources):
        if i not in excerpts:
            continue  # nothing of this passage made the cut: leave it out of the prompt
        first = excerpts[i][0][1]
        lines, previous = ([headings[i]] if headings[i] and headings[i] != first.strip() else []), None
        for j, seg in excerpts[i]:
            if previous is not None and j != previous + 1:
                lines.append("…")
            lines.append(seg)
            previous = j
        out.append(replace(source, excerpt="\n".join(lines), answer_lines=tuple(answer_lines.get(i, ()))))
    return [replace(s, number=n) for n, s in enumerate(out, start=1)]
