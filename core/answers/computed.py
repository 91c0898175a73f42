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
from typing import Any

from core.answers.figure_sentence import column_for
from core.answers.formulas import Formula, Operand, formula_for
from core.answers.statement_lines import StatementLine, company, header_periods, parse_line, scale
from core.events import Source

_SCALES = {"": 1.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "formula": self.formula,
            "operands": [o.as_dict() for o in self.operands],
            "value": self.value,
            "shown": self.shown,
            "refused": self.refused,
        }

    def work(self) -> str:
        """``name = formula = values = result``, each operand with its period and source."""
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
        """The sentence an answer opens with."""
        if self.refused:
            name = self.name[0].lower() + self.name[1:]
            return f"The {name} cannot be computed from your documents: {self.refused}."
        cited = "".join(f"[{n}]" for n in dict.fromkeys(o.source for o in self.operands))
        return f"The {self.name[0].lower() + self.name[1:]} is {self.shown} {cited}."


Search = Callable[[str], list[Source]]


def compute(
    question: str, sources: list[Source], search: Search | None = None
) -> tuple[Computation | None, list[Source]]:
    """The computation the question asks for (None when it asks for none), and any passages that
    were searched for to find a missing operand (numbered after ``sources``)."""
    formula = formula_for(question)
    if formula is None or not sources:
        return None, []
    if formula.unsupported:
        return Computation(formula.name, formula.expression, refused=formula.unsupported), []
    if formula.growth:
        grown = _growth(formula, question, sources)
        if grown.refused.startswith("no line") and search is not None:
            more = _search_more(search, formula.operands[0], question, sources)
            return _growth(formula, question, more), more
        return grown, []
    extra: list[Source] = []
    found: list[Found] = []
    for operand in formula.operands:
        hit = _find(operand, question, sources + extra)
        if hit is None and search is not None:
            more = _search_more(search, operand, question, sources + extra)
            extra += more
            hit = _find(operand, question, more)
        if hit is None:
            return Computation(
                formula.name, formula.expression, refused=f"no line for {operand.name.lower()} was found"
            ), extra
        if isinstance(hit, str):
            return Computation(formula.name, formula.expression, refused=hit), extra
        found.append(hit)
    return _result(formula, found), extra


def _search_more(search: Search, operand: Operand, question: str, sources: list[Source]) -> list[Source]:
    """At most two passages of the first source's filing that may hold ``operand`` (searched for by
    company, line and the years asked), numbered after ``sources``."""
    years = " ".join(dict.fromkeys(_YEAR.findall(question)))
    wanted = f"{company(sources[0].label)} {operand.name} {years}".strip()
    more = [s for s in search(wanted) if s.doc_id == sources[0].doc_id][:2]
    return [replace(s, number=len(sources) + 1 + i) for i, s in enumerate(more)]


def _rows(operand: Operand, sources: list[Source]) -> Iterator[tuple[Source, StatementLine]]:
    """Each statement row of the sources whose label reports ``operand``, in order."""
    for source in sources:
        for line in source.text.splitlines():
            row = parse_line(line)
            if row is not None and operand.labels.search(row.label.strip(" :")):
                yield source, row


def _growth(formula: Formula, question: str, sources: list[Source]) -> Computation:
    """One row in two columns: the later period's value against the earlier one's."""
    line = formula.operands[0]
    for source, row in _rows(line, sources):
        amounts = [v for v in row.values if not v.endswith("%")]
        periods = header_periods(source.context, source.text, len(amounts))
        if len(amounts) >= 2:
            years = sorted(set(_YEAR.findall(question)), reverse=True)
            columns = [_year_column(periods, y) for y in years[:2]] if len(years) >= 2 else [0, 1]
            if None in columns:
                missing = " or ".join(y for y, c in zip(years[:2], columns, strict=False) if c is None)
                refused = f"the page with {row.label.lower()} has no column for {missing}"
                return Computation(formula.name, formula.expression, refused=refused)
            unit = scale(source.context, source.text)
            found = [
                Found(
                    op.name,
                    row.label,
                    amounts[c],
                    _number(amounts[c]) * _SCALES.get(unit, 1.0),
                    _period(periods, c),
                    source.number,
                    unit,
                )
                for op, c in zip(formula.operands, columns, strict=True)
            ]
            return _result(formula, found)
    return Computation(formula.name, formula.expression, refused=f"no line for {line.name.lower()} was found")


def _year_column(periods: list[str], year: str) -> int | None:
    return next((i for i, p in enumerate(periods) if p.endswith(year)), None)


def _period(periods: list[str], column: int) -> str:
    return periods[column].removeprefix("the ") if column < len(periods) else ""


def _find(operand: Operand, question: str, sources: list[Source]) -> Found | str | None:
    """The first row reporting ``operand`` in the sources, read in the question's period column; a
    reason (str) when the row is there but its period is not."""
    source, row = next(_rows(operand, sources), (None, None))
    return _read(operand, row, source, question) if source is not None and row is not None else None


def _read(operand: Operand, row: StatementLine, source: Source, question: str) -> Found | str:
    amounts = row.amounts
    periods = header_periods(source.context, source.text, len(amounts))
    column = column_for(question, periods)
    years = _YEAR.findall(question)
    if years and periods and not any(y in p for y in years for p in periods):
        return f"the page with {row.label.lower()} has no column for {', '.join(dict.fromkeys(years))}"
    printed = amounts[column]
    unit = scale(source.context, source.text)
    number = _number(printed) * _SCALES.get(unit, 1.0)
    return Found(operand.name, row.label, printed, number, _period(periods, column), source.number, unit)


def _result(formula: Formula, found: list[Found]) -> Computation:
    scales = {o.scale for o in found}
    if formula.ratio and len(scales) > 1 and "" in scales:
        return Computation(
            formula.name, formula.expression, tuple(found), refused="the lines are in different units"
        )
    values = [o.number for o in found]
    if formula.ratio and values[-1] <= 0:
        return Computation(
            formula.name,
            formula.expression,
            tuple(found),
            refused=f"{found[-1].label.lower()} is zero or negative",
        )
    value = formula.result(values)
    if formula.percent:
        shown = f"{value:.1f}%"
    elif formula.ratio:
        shown = f"{value:.2f}"
    else:
        unit = found[0].scale
        shown = f"${value / _SCALES.get(unit, 1.0):,.0f}" + (f" {unit}" if unit else "")
    return Computation(formula.name, formula.expression, tuple(found), value, shown)


def _number(printed: str) -> float:
    negative = printed.startswith("(") or printed.startswith("-")
    value = float(printed.strip("()-%$").replace(",", ""))
    return -value if negative else value
