"""Common financial definitions, for questions that ask for a figure defined by a formula (a
ratio, a margin, a difference): the formula's name, the statement lines it takes and how they
combine. Only the arithmetic is here; finding the lines is core.answers.computed's job."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Operand:
    """A statement line a formula takes: its name, and the row labels that report it."""

    name: str
    labels: re.Pattern[str]


@dataclass(frozen=True)
class Formula:
    name: str
    asked: re.Pattern[str]  # the question's words that ask for it
    operands: tuple[Operand, ...]
    combine: Callable[[list[float]], float]
    expression: str  # how the operands combine, with their names
    percent: bool = False
    ratio: bool = True  # the last operand divides (a difference, such as free cash flow, does not)
    growth: bool = False  # one row in two periods: (later - earlier) / earlier
    unsupported: str = ""  # a definition this app does not compute yet: said instead of a figure

    def result(self, values: list[float]) -> float:
        value = self.combine(values)
        return value * 100 if self.percent else value


def _op(name: str, pattern: str) -> Operand:
    return Operand(name, re.compile(pattern, re.IGNORECASE))


REVENUE = _op("Revenue", r"^(total\s+)?(net\s+)?(revenues?|sales|net\s+sales)(\s*,\s*net)?$")
COST_OF_REVENUE = _op(
    "Cost of revenue", r"^(total\s+)?cost\s+of\s+(revenues?|sales|goods\s+sold|products\s+sold)"
)
GROSS_PROFIT = _op("Gross profit", r"^gross\s+(profit|margin)$")
OPERATING_INCOME = _op(
    "Operating income",
    r"^(total\s+)?(operating\s+income|income\s+from\s+operations|operating\s+profit)(\s+\(loss\))?$",
)
NET_INCOME = _op(
    "Net income", r"^net\s+(income|earnings)(\s+\(loss\))?(\s+attributable\s+to\s+[\w\s.,&'-]+)?$"
)
CFO = _op(
    "Net cash provided by operating activities",
    r"^(net\s+)?cash\s+(provided\s+by|from|generated\s+(by|from))\s+(\(used\s+in\)\s+)?operating\s+activities",
)
CAPEX = _op(
    "Purchases of property, plant and equipment",
    r"^(purchases?|payments?\s+for|additions?\s+to|acquisitions?|expenditures?\s+for)\s+(of\s+)?"
    r"[\w,\s]{0,40}?\b(property|equipment|buildings)\b|^capital\s+expenditures?",
)
CURRENT_ASSETS = _op("Total current assets", r"^total\s+current\s+assets$")
CURRENT_LIABILITIES = _op("Total current liabilities", r"^total\s+current\s+liabilities$")
INVENTORIES = _op("Inventories", r"^(merchandise\s+)?inventor(y|ies)(,\s*net)?$")
TAX = _op(
    "Income tax expense",
    r"^(provision\s+for|benefit\s+from|\(?benefit\)?\s*)?income\s+tax(es)?(\s+expense)?(\s+\(benefit\))?$",
)
PRETAX = _op(
    "Income before income taxes",
    r"^(income|earnings)\s+(\(loss\)\s+)?before\s+(provision\s+for\s+)?income\s+tax",
)
DIVIDENDS = _op("Dividends paid", r"^(cash\s+)?dividends\s+paid")
INTEREST = _op("Interest expense", r"^interest\s+expense(,\s*net)?$")


def _ratio(v: list[float]) -> float:
    return v[0] / v[1]


FORMULAS: tuple[Formula, ...] = (
    Formula(
        "Operating cash flow ratio",
        re.compile(r"operating\s+cash\s+flow\s+ratio", re.I),
        (CFO, CURRENT_LIABILITIES),
        _ratio,
        "Net cash provided by operating activities / Total current liabilities",
    ),
    Formula(
        "Quick ratio",
        re.compile(r"quick\s+ratio|acid[-\s]test", re.I),
        (CURRENT_ASSETS, INVENTORIES, CURRENT_LIABILITIES),
        lambda v: (v[0] - v[1]) / v[2],
        "(Total current assets - Inventories) / Total current liabilities",
    ),
    Formula(
        "Current ratio",
        re.compile(r"current\s+ratio|working\s+capital\s+ratio", re.I),
        (CURRENT_ASSETS, CURRENT_LIABILITIES),
        _ratio,
        "Total current assets / Total current liabilities",
    ),
    Formula(
        "Gross margin",
        re.compile(r"gross\s+(profit\s+)?margin", re.I),
        (GROSS_PROFIT, REVENUE),
        _ratio,
        "Gross profit / Revenue",
        percent=True,
    ),
    Formula(
        "Operating margin",
        re.compile(r"operating\s+(profit\s+)?margin|operating\s+income\s+margin", re.I),
        (OPERATING_INCOME, REVENUE),
        _ratio,
        "Operating income / Revenue",
        percent=True,
    ),
    Formula(
        "Net profit margin",
        re.compile(r"net\s+(profit\s+|income\s+)?margin", re.I),
        (NET_INCOME, REVENUE),
        _ratio,
        "Net income / Revenue",
        percent=True,
    ),
    Formula(
        "Capital expenditure as a share of revenue",
        re.compile(
            r"(capex|capital\s+expenditures?)\s+(as\s+a\s+)?(%|percent(age)?|share|ratio)|"
            r"(capex|capital\s+expenditures?)\s*(/|to)\s*(revenue|sales)",
            re.I,
        ),
        (CAPEX, REVENUE),
        lambda v: abs(v[0]) / v[1],
        "Purchases of property, plant and equipment / Revenue",
        percent=True,
    ),
    Formula(
        "Effective tax rate",
        re.compile(r"effective\s+(income\s+)?tax\s+rate", re.I),
        (TAX, PRETAX),
        _ratio,
        "Income tax expense / Income before income taxes",
        percent=True,
    ),
    Formula(
        "Dividend payout ratio",
        re.compile(r"(dividend\s+)?payout\s+ratio", re.I),
        (DIVIDENDS, NET_INCOME),
        lambda v: abs(v[0]) / v[1],
        "Dividends paid / Net income",
        percent=True,
    ),
    Formula(
        "Interest coverage ratio",
        re.compile(r"interest\s+coverage", re.I),
        (OPERATING_INCOME, INTEREST),
        lambda v: v[0] / abs(v[1]),
        "Operating income / Interest expense",
    ),
    Formula(
        "Free cash flow",
        re.compile(r"free\s+cash\s+flow|\bfcf\b", re.I),
        (CFO, CAPEX),
        lambda v: v[0] - abs(v[1]),
        "Net cash provided by operating activities - Purchases of property, plant and equipment",
        ratio=False,
    ),
)

#: Questions about a figure's causes or meaning, not its value ("What drove the margin change?").
_NOT_A_CALCULATION = re.compile(
    r"^\W*(why|explain|describe)\b|\b(drove|drivers?|caused|factors?|reasons?|led\s+to|useful\s+metric)\b",
    re.I,
)
#: A ratio the question states itself: "compute net income divided by total assets", "... is
#: defined as: total current assets / total current liabilities".
_STATED = (
    re.compile(
        r"\b(?:compute|calculate)\s+(?:the\s+)?([^?.;:]+?)\s+(?:divided\s+by|over|/)\s+([^?.;:]+)", re.I
    ),
    re.compile(
        r"\bdefined?\b[^.?;]{0,60}?\bas:?\s+([^?.;:/]+?)\s*(?:divided\s+by|/)\s*([^?.;:]+)", re.I
    ),
)


KNOWN: tuple[Operand, ...] = (
    REVENUE, COST_OF_REVENUE, GROSS_PROFIT, OPERATING_INCOME, NET_INCOME, CFO, CAPEX,
    CURRENT_ASSETS, CURRENT_LIABILITIES, INVENTORIES, TAX, PRETAX, DIVIDENDS, INTEREST,
)  # fmt: skip
_GROWTH = re.compile(
    r"(year[-\s]+over[-\s]+year|yoy|annual)\s+(change|growth|increase|decrease)|growth\s+rate|"
    r"(percent(age)?|%)\s+(change|growth|increase|decrease)|\b(change|growth)\s+in\b",
    re.I,
)
_AVERAGE = re.compile(r"\baverages?\b|\bavg\b", re.I)


def formula_for(question: str) -> Formula | None:
    """The formula a question asks for, or None (not a calculation, or one not defined here)."""
    if _NOT_A_CALCULATION.search(question):
        return None
    found = None
    for pattern in _STATED:
        stated = pattern.search(question)
        if stated and "(" not in stated.group(1) and len(stated.group(2).split()) <= 8:
            found = stated_formula(stated.group(1), stated.group(2), _asked_name(question))
            break
    found = found or next((f for f in FORMULAS if f.asked.search(question)), None) or _growth(question)
    if found is not None and _AVERAGE.search(question):
        return replace(found, unsupported="an average over several periods is not computed yet")
    return found


def _growth(question: str) -> Formula | None:
    """The change of one statement line between two periods, in percent ("year-over-year change in
    revenue from FY2016 to FY2017")."""
    if not _GROWTH.search(question):
        return None
    after = _GROWTH.search(question).end()
    line = next((op for op in KNOWN if op.labels.search(_metric_words(question[after:]))), None)
    line = line or next((op for op in KNOWN if op.labels.search(_metric_words(question))), None)
    if line is None:
        return None
    name = f"{line.name} growth"
    earlier = replace(line, name=f"{line.name} (earlier)")
    return Formula(
        name,
        re.compile("$^"),
        (line, earlier),
        lambda v: (v[0] - v[1]) / abs(v[1]),
        f"({line.name} - {earlier.name}) / {earlier.name}",
        percent=True,
        growth=True,
    )


def _metric_words(text: str) -> str:
    """The words of a question that may name a statement line ("revenue", "net income")."""
    for known in ("net income", "operating income", "gross profit", "net sales", "revenue", "sales"):
        if known in text.lower():
            return known
    return ""


_NAMED = re.compile(r"\b(ratio|margin|rate|turnover|coverage)\b", re.I)
_NOT_NAME = frozenset("what is the a an of for in its their fy".split())


def _asked_name(question: str) -> str:
    """The name the question gives its figure ("... FY2020 working capital ratio?" -> "Working
    capital ratio"): up to three plain words before ratio, margin, rate ..."""
    match = _NAMED.search(question)
    if not match:
        return ""
    words = []
    for word in reversed(question[: match.start()].split()[-3:]):
        if not word.isalpha() or word.lower() in _NOT_NAME:
            break
        words.insert(0, word.lower())
    name = " ".join([*words, match.group(1).lower()])
    return name[0].upper() + name[1:] if words else ""


def stated_formula(top: str, bottom: str, name: str = "") -> Formula:
    """A ratio the user states ("compute net income divided by total assets")."""

    def operand(words: str) -> Operand:
        words = re.sub(r"\b(the|for|in|of\s+\w+'s|fy\s?\d{4}|\d{4})\b", " ", words, flags=re.I)
        words = " ".join(words.split()).strip(" ,.")
        known = next((op for op in KNOWN if op.labels.search(words)), None)  # "revenue": "Net revenues" too
        return known or _op(words[:1].upper() + words[1:], rf"^(total\s+)?{re.escape(words)}")

    a, b = operand(top), operand(bottom)
    expression = f"{a.name} / {b.name}"
    formula = Formula(name or expression, re.compile("$^"), (a, b), _ratio, expression)
    if _AVERAGE.search(f"{top} {bottom}"):
        return replace(formula, unsupported="an average over two periods is not computed yet")
    return formula
