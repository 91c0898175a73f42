"""Figures computed in code, never by the model: for a question asking for a ratio, a margin or a
difference (core.answers.formulas), each operand is found as a statement row in the passages
(with its period column and scale), the result is computed, and the work is shown:

    Operating cash flow ratio = Net cash provided by operating activities (the year ended
    December 31, 2015, [1]) / Total current liabilities (December 31, 2015, [2]) = 5,678 / 4,617 = 1.23

When an operand is missing, the period asked for is not on the page, the scales cannot be told
apart or the denominator is zero or negative, nothing is computed and the reason is said.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from core.answers.formula_questions import YEAR, formula_for
from core.answers.formulas import Formula
from core.answers.line_items import Line
from core.answers.statement_lines import (
    NIL,
    StatementLine,
    column_year,
    company,
    filing_year,
    header_periods,
    parse_line,
    possessive,
    scale,
    table_rows,
)
from core.events import Source

_SCALES = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_CONSOLIDATING = re.compile(r"\bconsolidating\b|\bguarantor\b", re.IGNORECASE)
_FILE_STEM = re.compile(r"\(([^()]+)\)\s*$")
_SPANS = ("three months", "six months", "nine months", "twelve months", "year ended")
_SPAN_ENDED = re.compile(
    r"(?:fiscal\s+)?(?:year|quarter|(?:\w+|\d+)[\s-]+(?:months|weeks))\s+ended\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Found:
    """One operand as printed in its source."""

    name: str
    label: str
    printed: str  # "(1,577)"
    number: float  # in units (scale applied)
    period: str
    source: int
    scale: str

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.printed, "period": self.period, "source": self.source}


@dataclass(frozen=True)
class Computation:
    name: str
    formula: str
    operands: tuple[Found, ...] = ()
    value: float | None = None
    shown: str = ""  # the result as written ("1.23", "43.1%")
    refused: str = ""  # why nothing was computed
    parts: tuple[Computation, ...] = ()  # an average over years: each year's computation
    period: str = ""  # what the figure is for, as said after it: "in fiscal 2020", "at May 31, 2020"
    company: str = ""  # whose figure it is, from its first operand's document ("General Mills")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "formula": self.formula,
            "operands": [o.as_dict() for o in self.operands],
            "value": self.value,
            "shown": self.shown,
            "refused": self.refused,
            "parts": [p.as_dict() for p in self.parts],
            "period": self.period,
            "company": self.company,
        }

    def work(self) -> str:
        """``name = formula = values = result``, each operand with its period and source; for an
        average over years, each year's work on its own line, then the average."""
        if self.parts:
            each = [p.work() for p in self.parts]
            shown = " + ".join(p.shown for p in self.parts)
            return "\n".join([*each, f"{self.name} = ({shown}) / {len(self.parts)} = {self.shown}"])
        template = self.formula
        by_length = sorted(range(len(self.operands)), key=lambda i: -len(self.operands[i].name))
        for i in by_length:  # "Revenue (earlier)" before "Revenue"
            template = template.replace(self.operands[i].name, f"\x00{i}\x00")
        named, printed = template, template
        for i, o in enumerate(self.operands):
            where = f"{o.period}, [{o.source}]" if o.period else f"[{o.source}]"
            named = named.replace(f"\x00{i}\x00", f"{o.label} ({where})")
            printed = printed.replace(f"\x00{i}\x00", o.printed.strip("()") if o.number < 0 else o.printed)
        return f"{self.name} = {named} = {printed} = {self.shown}"

    def sentence(self) -> str:
        """The sentence an answer opens with: whose figure, what, its value and unit, its period
        and the sources of its operands ("General Mills's working capital ratio was 0.68 at
        May 31, 2020 [1].")."""
        name = _lower_first(self.name)
        if self.refused:
            return f"The {name} cannot be computed from your documents: {self.refused}."
        cited = "".join(f"[{n}]" for n in dict.fromkeys(o.source for o in self.operands))
        subject = f"{possessive(self.company)} {name}" if self.company else f"The {name}"
        if not self.period:
            return f"{subject} is {self.shown} {cited}."
        return f"{subject} was {self.shown} {self.period} {cited}."


Search = Callable[[str], list[Source]]


class SamePage(Protocol):
    """The other passages of the pages already found (a statement page is several passages)."""

    def passages(self, source: Source) -> list[Source]:
        """The other passages of ``source``'s page, as stored (not trimmed: reading rows needs
        only their text, and trimming embeds every line)."""
        ...

    def trimmed(self, passage: Source, wanted: str) -> Source:
        """``passage`` with its excerpt trimmed to the lines on ``wanted``, for the prompt."""
        ...


def compute(
    question: str, sources: list[Source], search: Search | None = None, same_page: SamePage | None = None
) -> tuple[Computation | None, list[Source]]:
    """The computation the question asks for (None when it asks for none), and any passages that
    were searched for to find a missing operand (numbered after ``sources``): first the other
    passages of the pages already found (``same_page``), then a ``search``."""
    formula = formula_for(question)
    if formula is None or not sources:
        return None, []
    if formula.unsupported:
        return Computation(formula.name, formula.expression, refused=formula.unsupported), []
    if not formula.years:
        computation, extra = _evaluate(formula, question, sources, search, same_page)
        return _whose(computation, sources + extra), extra
    parts: list[Computation] = []
    extra: list[Source] = []
    for year in formula.years:
        part, more = _evaluate(
            replace(formula, year=year, years=()), question, sources + extra, search, same_page
        )
        extra += more
        if part.refused:
            said = part.refused if year in part.refused else f"{part.refused} (fiscal {year})"
            return replace(part, refused=said), extra
        parts.append(replace(part, name=f"{formula.name}, fiscal {year}"))
    return _whose(_averaged(formula, parts), sources + extra), extra


def _whose(computation: Computation, sources: list[Source]) -> Computation:
    """``computation`` with the company of its first operand's document."""
    if computation.refused or not computation.operands:
        return computation
    first = next((s for s in sources if s.number == computation.operands[0].source), None)
    return replace(computation, company=company(first.label) if first is not None else "")


def _evaluate(
    formula: Formula,
    question: str,
    sources: list[Source],
    search: Search | None,
    same_page: SamePage | None = None,
) -> tuple[Computation, list[Source]]:
    """The formula in its year: each operand read from the sources, else from the rest of their
    pages, else searched for (and the rest of the pages found)."""
    extra: list[Source] = []
    found: list[Found] = []
    for operand in formula.operands:
        hit = _find(operand, formula.year, question, sources + extra)
        if not isinstance(hit, Found) and same_page is not None:  # on a page found, not in its passage
            hit, beside = _beside(same_page, operand, formula.year, question, sources + extra, hit)
            extra += beside
        for filing in _filings_for(formula.year, sources) if search is not None else []:
            if isinstance(hit, Found):  # else: no row, or none in its year, in the filings so far
                break
            more = _search_more(search, operand, formula.year, sources + extra, filing)
            extra += more
            hit = _find(operand, formula.year, question, more) or hit
            if not isinstance(hit, Found) and same_page is not None and more:
                hit, beside = _beside(same_page, operand, formula.year, question, sources + extra, hit, more)
                extra += beside
        if hit is None:
            refused = f"no line for {operand.name.lower()} was found"
            return Computation(formula.name, formula.expression, refused=refused), extra
        if isinstance(hit, str):
            return Computation(formula.name, formula.expression, refused=hit), extra
        found.append(hit)
    return _result(formula, found), extra


def _filings_for(year: str, sources: list[Source]) -> list[Source]:
    """Where to search for a missing operand, in turn: the filing for ``year`` among the sources
    (else the first source's), then one later filing among them (it prints the year before in
    its columns too: the 2020 report's income statement has 2018's column)."""
    first = next((s for s in sources if year and year in YEAR.findall(s.label)), sources[0])
    later = [
        s
        for s in sources
        if s.doc_id != first.doc_id and year and any(int(y) > int(year) for y in YEAR.findall(s.label))
    ]
    return [first, *later[:1]]


def _search_more(
    search: Search, operand: Line, year: str, sources: list[Source], filing: Source
) -> list[Source]:
    """At most three passages of ``filing`` that may hold ``operand``, searched for by company and
    file name, the statement that reports the line, the line and the years it is read in;
    numbered after ``sources``."""
    years = " ".join(str(y) for y in _years_read(operand, year) if y)
    line = re.sub(r"^Average\s+|\s*\(.*\)$", "", operand.name)
    stem = _FILE_STEM.search(filing.label)  # the file's name steers retrieval to the filing
    named = " ".join(w for w in (company(filing.label), stem.group(1) if stem else "") if w)
    wanted = " ".join(f"{named} {operand.statement} {line} {years}".split())
    known = {(s.doc_id, s.page_start, s.text) for s in sources}
    more = [
        s
        for s in search(wanted)
        if s.doc_id == filing.doc_id and (s.doc_id, s.page_start, s.text) not in known
    ][:3]
    return [replace(s, number=len(sources) + 1 + i) for i, s in enumerate(more)]


def _beside(
    same_page: SamePage,
    operand: Line,
    year: str,
    question: str,
    sources: list[Source],
    hit: Found | str | None,
    pages_of: list[Source] | None = None,
) -> tuple[Found | str | None, list[Source]]:
    """``operand`` read from the other passages of the pages of ``pages_of`` (default: all the
    sources, best first; at most six pages): the passage that holds it, numbered after
    ``sources``; ``hit`` and no passage when none does."""
    known = {(s.doc_id, s.page_start, s.text) for s in sources}
    pages = list(dict.fromkeys((s.doc_id, s.page_start) for s in pages_of or sources))[:6]
    for doc_id, page in pages:
        first = next(s for s in pages_of or sources if (s.doc_id, s.page_start) == (doc_id, page))
        for passage in same_page.passages(first):
            if (passage.doc_id, passage.page_start, passage.text) in known:
                continue
            numbered = replace(passage, number=len(sources) + 1)
            read = _find(operand, year, question, [numbered])
            if isinstance(read, Found):  # only the passage kept is trimmed
                return read, [same_page.trimmed(numbered, operand.name)]
            hit = hit or read
    return hit, []


def _years_read(operand: Line, year: str) -> list[int | None]:
    """The fiscal years an operand's columns are for: its year (less its shift), and the year
    before that too for an average; None for the latest column."""
    target = int(year) - operand.shift if year else None
    if not operand.average:
        return [target]
    return [target, target - 1 if target is not None else None]


def _rows(operand: Line, sources: list[Source]) -> Iterator[tuple[Source, StatementLine]]:
    """Each statement row of the sources whose label reports ``operand``, in order; not from a
    consolidating statement (a column per legal entity, the consolidated total last)."""
    for source in sources:
        if _CONSOLIDATING.search(source.context):
            continue
        for line in table_rows(source.text):
            row = parse_line(line)
            if row is not None and operand.reports(row.label):
                yield source, row


def _find(operand: Line, year: str, question: str, sources: list[Source]) -> Found | str | None:
    """The first row reporting ``operand`` that has its year's column(s); the first row's reason
    (str) when rows are there but none has them; None when there is no row."""
    reason = None
    for source, row in _rows(operand, sources):
        read = _read(operand, row, source, year, question)
        if isinstance(read, Found):
            return read
        reason = reason or read
    return reason


def _read(operand: Line, row: StatementLine, source: Source, year: str, question: str) -> Found | str:
    amounts = row.amounts
    periods = header_periods(source.context, source.text, len(amounts))
    years = _years_read(operand, year)
    if year and periods:
        columns = [_year_column(periods, str(y), question) for y in years]
        missing = [str(y) for y, c in zip(years, columns, strict=True) if c is None]
        if missing:
            return f"the page with {row.label.lower()} has no column for {' and '.join(missing)}"
    else:
        first = _first_column(operand, year, source)
        if first is None:
            return f"the page with {row.label.lower()} does not say which year each column is"
        columns = [first, first + 1] if operand.average else [first]
        if columns[-1] >= len(amounts):
            return f"the page with {row.label.lower()} has no column for the year before"
    unit = scale(source.context, source.text)
    printed = [amounts[c] for c in columns]
    numbers = [_number(p) * _SCALES.get(unit, 1.0) for p in printed]
    said = [_period(periods, c) if periods else column_year(source.label, c) for c in columns]
    if len(columns) == 1:
        return Found(operand.name, row.label, printed[0], numbers[0], said[0], source.number, unit)
    period = f"average of {' and '.join(said)}" if all(said) else "average of two years"
    average = f"({' + '.join(printed)}) / {len(printed)}"
    return Found(operand.name, row.label, average, sum(numbers) / len(numbers), period, source.number, unit)


def _first_column(operand: Line, year: str, source: Source) -> int | None:
    """Where the page's columns have no periods: filings print their own period first, so the
    column of ``year`` is as many columns in as it is years before the filing's own (its label's
    year); None when the filing's year is not known or is before ``year``."""
    if not year:
        return operand.shift
    filed = filing_year(source.label)
    back = filed - int(year) + operand.shift if filed is not None else -1
    return back if back >= 0 else None


def _year_column(periods: list[str], year: str, question: str) -> int | None:
    """The column of ``year``; of two, the one whose span the question names ("nine months")."""
    matches = [i for i, p in enumerate(periods) if p.endswith(year)]
    asked = [s for s in _SPANS if s in question.lower()]
    spanned = [i for i in matches if any(s in periods[i].lower() for s in asked)]
    return (spanned or matches or [None])[0]


def _period(periods: list[str], column: int) -> str:
    return periods[column].removeprefix("the ") if column < len(periods) else ""


def _result(formula: Formula, found: list[Found]) -> Computation:
    def refused(reason: str) -> Computation:
        return Computation(formula.name, formula.expression, tuple(found), refused=reason)

    scales = {o.scale for o in found}
    if len(scales) > 1 and "" in scales:
        return refused("the lines are in different units")
    values = [o.number for o in found]
    for i in formula.positive:
        if (abs(values[i]) if formula.operands[i].outflow else values[i]) <= 0:
            return refused(f"{found[i].label.lower()} is zero or negative")
    try:
        value = formula.result(values)
    except ZeroDivisionError:
        return refused("it would divide by zero")
    shown = _shown(formula, value, found)
    return Computation(
        formula.name, formula.expression, tuple(found), value, shown, period=_said_period(formula, found)
    )


def _said_period(formula: Formula, found: list[Found]) -> str:
    """What the figure is for, said after it: "from 2020 to 2021" for a growth, "in the year ended
    December 31, 2017", "at May 31, 2020" for a balance, "in fiscal 2021"; "" when unknown."""
    read = list(zip(formula.operands, found, strict=True))
    current = next(
        ((line, f.period) for line, f in read if not line.shift and f.period and not _is_mean(f.period)), None
    )
    earlier = max(((line.shift, f.period) for line, f in read if line.shift and f.period), default=None)
    if current is None:
        return f"in fiscal {formula.year}" if formula.year else ""
    line, now = current
    if formula.change and earlier is not None:
        this, then = YEAR.findall(now), YEAR.findall(earlier[1])
        if this and then:
            return f"from {then[-1]} to {this[-1]}"
        return f"from the {earlier[1]} to the {now}"
    return _in_period(now, line.statement == "balance sheet")


def _in_period(period: str, balance: bool) -> str:
    if _SPAN_ENDED.match(period):
        return f"in the {period}"
    if re.fullmatch(r"(?:fiscal\s+)?(?:19|20)\d\d", period, re.IGNORECASE):
        return f"in {period}"
    return f"at {period}" if balance else f"for the period ended {period}"


def _is_mean(period: str) -> bool:
    return period.startswith("average of")


def _shown(formula: Formula, value: float, found: list[Found] | tuple[Found, ...]) -> str:
    if formula.unit == "percent":
        return f"{value:.1f}%"
    if formula.unit == "days":
        return f"{value:.2f} days"
    if formula.unit == "money":
        unit = found[0].scale
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value) / _SCALES.get(unit, 1.0):,.0f}" + (f" {unit}" if unit else "")
    return f"{value:.2f}"


def _averaged(formula: Formula, parts: list[Computation]) -> Computation:
    """The formula's average over its years, from each year's computation."""
    values = [p.value for p in parts if p.value is not None]
    value = sum(values) / len(values)
    name = f"{len(parts)}-year average {_lower_first(formula.name)}"
    operands = tuple(o for p in parts for o in p.operands)
    over = f"{formula.years[0]}-{formula.years[-1]}"
    return Computation(
        name,
        f"average of {formula.name} in fiscal {over}",
        operands,
        value,
        _shown(formula, value, operands),
        parts=tuple(parts),
        period=f"over fiscal years {formula.years[0]} to {formula.years[-1]}",
    )


def _lower_first(name: str) -> str:
    """ "Current ratio" -> "current ratio"; "EBITDA margin" stays."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def with_operands(sources: list[Source], computation: Computation | None) -> list[Source]:
    """The sources, each with the rows a computation took from it (to mark on its page)."""
    if computation is None or not computation.operands:
        return sources
    rows: dict[int, list[str]] = {}
    for o in computation.operands:
        row = f"{o.label} {o.printed}"
        if row not in rows.setdefault(o.source, []):
            rows[o.source].append(row)
    return [replace(s, operand_lines=tuple(rows[s.number])) if s.number in rows else s for s in sources]


def _number(printed: str) -> float:
    if printed in NIL:
        return 0.0
    negative = printed.startswith("(") or printed.startswith("-")
    value = float(printed.strip("()-%$").replace(",", ""))
    return -value if negative else value
