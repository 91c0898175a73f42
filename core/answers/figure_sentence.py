"""The sentence an answer about an amount starts with, written from the statement row most likely
to hold it: what the figure is, its value as printed with its unit, its period, and its source.

"What were Apple's total net sales in the quarter ended December 31, 2022?" with the row
"Total net sales 117,154 123,945" under "(In millions) | Three Months Ended | December 31, 2022
December 25, 2021" -> "Apple's total net sales were $117,154 million in the three months ended
December 31, 2022 [1]." The model then continues after it (or adds nothing). A row that cannot be
read as label + values gives "": the model answers on its own.
"""

from __future__ import annotations

import re

from core.answers.statement_lines import (
    NIL,
    StatementLine,
    amount,
    column_of_year,
    column_year,
    company,
    header_periods,
    parse_line,
    plain_label,
    possessive,
    scale,
)
from core.events import Source

_YEARISH = re.compile(r"(?:19|20)\d\d")
_DATE_OF = re.compile(r"[a-z]+\.? \d{1,2},? (?:19|20)\d\d")
_PER_SHARE = re.compile(r"per\s+(?:common\s+|diluted\s+|basic\s+)?share|\beps\b", re.I)
#: Rows whose parentheses mean money going out, not a negative amount ("Interest expense (66)").
_OUTFLOW = re.compile(
    r"\b(expenses?|costs?|purchases?|payments?|repurchases?|dividends|additions|acquisitions?|spending)\b",
    re.I,
)
_EXCEPT_SHARES = re.compile(r"except\b[^|)]*\bshares?\b", re.I)
_EXCEPT_PER_SHARE = re.compile(r"except\b[^|)]*\bper[\s-]+share", re.I)
_SHARE_COUNT = re.compile(r"\bshares\b|\bnumber of\b|\bemployees\b|\bunits\b|\bstores\b", re.I)


def figure_sentence(source: Source, line: str, question: str) -> str:
    """The sentence stating ``line``'s figure for ``question``, cited as ``source``; "" if the row
    cannot be read."""
    row = parse_line(line)
    if row is None or not _says_what_it_is(row.label):
        return ""
    amounts = row.amounts
    periods = header_periods(source.context, source.text, len(amounts))
    column = (
        column_for(question, periods) if periods else column_of_year(source.label, question, len(amounts))
    )
    value = row.values[column]
    if value in NIL:
        return ""  # nothing to state: the model answers on its own
    per_share = bool(_PER_SHARE.search(row.label))
    counted = bool(_SHARE_COUNT.search(row.label)) and not per_share
    passage = f"{source.excerpt}\n{source.text}"
    dollars = row.dollars or (not counted and "$" in passage)
    unit = (
        ""
        if per_share or value.endswith("%") or _per_share_value(value, source.context)
        else scale(source.context, passage)
    )
    if counted and _EXCEPT_SHARES.search(source.context):
        unit = ""  # "(In millions, except number of shares)": the count is as printed
    said = amount(value.strip("()") if _OUTFLOW.search(row.label) else value, unit, dollars)
    if column < len(periods):
        period = f" {_when(periods[column])}"
    else:  # no periods printed: the annual report's own year is its first column
        period = f" in {year}" if (year := column_year(source.label, column)) else ""
    verb = "were" if _plural(row.label) else "was"
    return f"{_subject(row, source)} {verb} {said}{period} [{source.number}]."


def _per_share_value(value: str, context: str) -> bool:
    """A figure with cents in a table "(In thousands, except per share data)" is one of its per-share
    amounts ("Dividends declared and paid to common shareholders $0.01"), not $0.01 thousand."""
    return bool(re.search(r"\.\d\d\)?$", value) and _EXCEPT_PER_SHARE.search(context))


def _when(period: str) -> str:
    """ "in the three months ended ...", "in fiscal 2022", or a balance's "at December 31, 2022"."""
    return f"in {period}" if period.startswith(("the ", "fiscal")) else f"at {period}"


def column_for(question: str, periods: list[str]) -> int:
    """The column whose period the question names (a date, else a year; the span too, "nine
    months", where two columns share a date), else the first (filings put the latest period first)."""
    if not periods:
        return 0
    lowered = question.lower().replace(",", "")
    spans = [
        w for w in ("three months", "six months", "nine months", "twelve months", "year") if w in lowered
    ]
    for matches in (
        [
            i
            for i, p in enumerate(periods)
            if (d := _DATE_OF.search(p.lower())) and d.group(0).replace(",", "") in lowered
        ],
        [i for y in _YEARISH.findall(question) for i, p in enumerate(periods) if p.endswith(y)],
    ):
        if matches:
            return next((i for i in matches if any(w in periods[i].lower() for w in spans)), matches[0])
    return 0


def _subject(row: StatementLine, source: Source) -> str:
    label = plain_label(row.label)
    words = label.split()
    if words and not words[0].isupper() and not any(w[:1].isupper() for w in words[1:]):
        label = label[0].lower() + label[1:]  # "Total net sales" -> "total net sales"; not "Data Center"
    name = company(source.label)
    if name:
        return f"{possessive(name)} {label}"
    return label[0].upper() + label[1:]


_ONE_WORD_METRICS = frozenset("revenue revenues sales ebitda ebit capex".split())


_DANGLING = re.compile(
    r"\b(of|and|or|to|in|for|by|from|with|the|a|an|was|were|is|are|be|been|totaled|approximately)$"
    r"|^\W*\d",
    re.I,
)


def _says_what_it_is(label: str) -> bool:
    """A row label that names its figure on its own: "Diluted", "Total" or "Products" only say it
    with the row above them (what a one-word row is "of" is not known here), and "2013 issuance of"
    or "Net revenue for the quarter was" is prose cut at a figure, not a row (it would read
    "... was were $5 million")."""
    if _DANGLING.search(label.strip(" :,")):
        return False
    words = re.findall(r"[A-Za-z&]+", label)
    return len(words) >= 2 or (len(words) == 1 and words[0].lower() in _ONE_WORD_METRICS)


def _plural(label: str) -> bool:
    head = label.split(" of ")[0] if " of " in label else re.sub(r"\(.*?\)", "", label)
    head = re.sub(r",?\s+net$", "", head.strip(), flags=re.IGNORECASE)  # "Inventories, net"
    last = head.split()
    word = last[-1].lower().strip(",.:;") if last else ""
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))
