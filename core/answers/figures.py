"""Figures in text: "$7,192 million", "7.192 billion", "13%", "(1,577)", as values that can be
compared whatever their formatting.

A figure in an answer is *supported* by a passage when some number in the passage, scaled by
1, a thousand, a million or a billion (tables say "in millions" once, at the top), rounds to the
figure at the precision the answer wrote it with: "$7.2 billion" is supported by "7,192" in a
table in millions, "14%" by "13.9 %".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
}
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_FIGURE = re.compile(
    r"(?<![\w.\-/])(?P<neg>[-−(])?\s?(?P<cur>[$€£¥])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<pct>\s?%| percent\b)?(?:\s?(?P<scale>thousand|millions?|billions?|trillion|mn|bn|[kmb])\b)?",
    re.IGNORECASE,
)
_AFTER_MONTH = re.compile(_MONTH + r"\s*$", re.IGNORECASE)
#: A number right after one of these names a part of a document ("Note 14", "Item 1A", "Exhibit
#: 31.2", "page 51"), not an amount.
_AFTER_REFERENCE = re.compile(
    r"\b(?:notes?|items?|exhibits?|parts?|pages?|pp?\.|sections?|rules?|chapters?|articles?|"
    r"schedules?|tables?|figures?|no\.)\s*$",
    re.IGNORECASE,
)
_SCALE_FACTORS = (1.0, 1e3, 1e6, 1e9)


@dataclass(frozen=True)
class Figure:
    text: str  # as written, e.g. "$7,192 million"
    value: float  # magnitude with any scale word applied, e.g. 7.192e9
    decimals: int  # digits after the point as written (precision)
    scale: float  # the scale word's factor (1 when none)
    percent: bool
    start: int  # position in the text

    def tolerance(self) -> float:
        """Half a unit of the last digit written, in the figure's own scale ("$14.2 billion" covers
        14,150-14,250 million; "$14.1 billion" does not cover 14,158 million)."""
        return 0.5 * 10 ** (-self.decimals) * self.scale * (1 + 1e-9)


def find_figures(text: str, *, skip_years: bool = True) -> list[Figure]:
    """Figures in ``text``; years (1900-2099 written bare), dates' day numbers, citation markers
    ([3]), references to parts of a document (Note 14, page 51) and numbers inside words (Q3,
    10-Q, FY2022) are left out."""
    out = []
    for m in _FIGURE.finditer(text):
        num = m.group("num")
        digits = num.replace(",", "")
        start = m.start("num")
        before = text[max(0, start - 12) : start]
        if before.endswith("[") and text[m.end("num") : m.end("num") + 1] == "]":
            continue  # a citation marker
        after = text[m.end("num") : m.end("num") + 2]
        if re.match(r"-?[A-Za-z]", after) and not m.group("scale") and not m.group("pct"):
            continue  # part of a word or code: "3M", "10-Q", "10-K"
        plain = not (m.group("cur") or m.group("pct") or m.group("scale") or "," in num or "." in num)
        if skip_years and plain and re.fullmatch(r"(19|20)\d\d", digits):
            continue
        if plain and _AFTER_MONTH.search(before):
            continue  # "April 30, 2023"
        bare = not (m.group("cur") or m.group("pct") or m.group("scale") or "," in num)
        if bare and _AFTER_REFERENCE.search(before):
            continue  # "Note 14", "Exhibit 31.2"
        scale_word = (m.group("scale") or "").lower()
        scale = _SCALES.get(scale_word, 1.0)
        if scale_word in ("m", "b", "k") and not m.group("cur"):
            continue  # "3M", "5k": a name or a code, not "millions" without a currency sign
        value = float(digits) * scale
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        text_span = text[m.start() : m.end()].strip(" (")
        out.append(Figure(text_span, value, decimals, scale, bool(m.group("pct")), start))
    return out


def passage_numbers(text: str) -> list[float]:
    """Every number in a passage as a magnitude (no scale applied; tables say their unit once)."""
    return [f.value / f.scale for f in find_figures(text, skip_years=False)]


def supports(figure: Figure, numbers: list[float]) -> bool:
    """Whether any of ``numbers`` (scaled by 1, 1e3, 1e6 or 1e9) rounds to ``figure``."""
    target = abs(figure.value)
    tol = figure.tolerance()
    factors = (1.0,) if figure.percent else _SCALE_FACTORS
    return any(abs(abs(n) * s - target) <= tol for n in numbers for s in factors)


def is_trivial(figure: Figure) -> bool:
    """Small bare counts ("3 segments", "1.") that are not worth checking."""
    return not (figure.percent or figure.scale > 1 or "$" in figure.text) and figure.value < 10
