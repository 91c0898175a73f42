"""Common financial definitions, for questions that ask for a figure defined by a formula (a
ratio, a margin, a turnover, days outstanding, a difference such as free cash flow): the name,
the statement lines it takes and how they combine. Only the arithmetic is here; which formula a
question asks for is core.answers.formula_questions', finding the lines core.answers.computed's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.answers.line_items import (
    CAPEX,
    CFO,
    COST_OF_REVENUE,
    CURRENT_ASSETS,
    CURRENT_LIABILITIES,
    DEPRECIATION,
    DIVIDENDS,
    INTEREST,
    INVENTORIES,
    NET_INCOME,
    NET_PPE,
    OPERATING_INCOME,
    PAYABLES,
    PRETAX,
    RECEIVABLES,
    REVENUE,
    TAX,
    TOTAL_ASSETS,
    Line,
)

UNITS = ("ratio", "percent", "money", "days")


@dataclass(frozen=True)
class Formula:
    """How statement lines combine into one figure. ``positive`` lists the operands that must be
    above zero (the denominators); ``year`` is the fiscal year the figure is for ("" for the
    latest column); ``years``, when set, asks for the formula in each of those years, averaged."""

    name: str
    operands: tuple[Line, ...]
    combine: Callable[[list[float]], float]
    expression: str  # how the operands combine, with their names
    unit: str = "ratio"
    positive: tuple[int, ...] = ()
    year: str = ""
    years: tuple[str, ...] = ()
    unsupported: str = ""  # a definition this app does not compute: said instead of a figure
    change: bool = False  # a change of one line between two periods (growth, CAGR)

    def result(self, values: list[float]) -> float:
        sizes = [abs(v) if line.outflow else v for v, line in zip(values, self.operands, strict=True)]
        value = self.combine(sizes)
        return value * 100 if self.unit == "percent" else value


def ratio(name: str, top: Line, bottom: Line, unit: str = "ratio") -> Formula:
    return Formula(name, (top, bottom), lambda v: v[0] / v[1], f"{top.name} / {bottom.name}", unit, (1,))


def days(name: str, balance: Line, flow: Line) -> Formula:
    """Days a balance is outstanding: 365 × its average over the year / the year's flow."""
    held = balance.averaged()
    return Formula(
        name, (held, flow), lambda v: 365 * v[0] / v[1], f"365 × {held.name} / {flow.name}", "days", (1,)
    )


def share_of_revenue(metric: Line | Formula, name: str = "") -> Formula:
    """A line (or a money formula such as EBITDA) as a percentage of revenue: a margin."""
    if isinstance(metric, Line):
        return ratio(name or f"{metric.name} as a percentage of revenue", metric, REVENUE, "percent")
    count = len(metric.operands)
    return Formula(
        name or f"{metric.name} margin",
        (*metric.operands, REVENUE),
        lambda v: metric.combine(v[:count]) / v[count],
        f"({metric.expression}) / {REVENUE.name}",
        "percent",
        (count,),
    )


def growth(line: Line, years: int = 1, compound: bool = False) -> Formula:
    """The change of one line over ``years``, in percent; ``compound``: the compound annual rate
    (CAGR) over them."""
    earlier = line.earlier(years, f"{line.name} ({years} year{'s' if years > 1 else ''} earlier)")
    if not compound or years == 1:
        return Formula(
            f"{line.name} growth",
            (line, earlier),
            lambda v: (v[0] - v[1]) / abs(v[1]),
            f"({line.name} - {earlier.name}) / {earlier.name}",
            "percent",
            change=True,
        )
    return Formula(
        f"{line.name} compound annual growth rate",
        (line, earlier),
        lambda v: (v[0] / v[1]) ** (1 / years) - 1,
        f"({line.name} / {earlier.name}) ^ (1/{years}) - 1",
        "percent",
        (0, 1),
        change=True,
    )


EBITDA = Formula(
    "EBITDA",
    (OPERATING_INCOME, DEPRECIATION),
    sum,
    f"{OPERATING_INCOME.name} + {DEPRECIATION.name}",
    "money",
)
FREE_CASH_FLOW = Formula(
    "Free cash flow", (CFO, CAPEX), lambda v: v[0] - v[1], f"{CFO.name} - {CAPEX.name}", "money"
)
WORKING_CAPITAL = Formula(
    "Working capital",
    (CURRENT_ASSETS, CURRENT_LIABILITIES),
    lambda v: v[0] - v[1],
    f"{CURRENT_ASSETS.name} - {CURRENT_LIABILITIES.name}",
    "money",
)

#: The money figures a margin can be taken of ("EBITDA margin"), by the words that name them.
COMPOSITES: tuple[tuple[re.Pattern[str], Formula], ...] = (
    (re.compile(r"\bebitda\b", re.I), EBITDA),
    (re.compile(r"\bfree\s+cash\s+flows?\b|\bfcf\b", re.I), FREE_CASH_FLOW),
    (re.compile(r"\b(net\s+)?working\s+capital\b(?!\s+ratio)", re.I), WORKING_CAPITAL),
)

_PRIOR_INVENTORIES = INVENTORIES.earlier(1, "Inventories (year before)")
_DIO = days("Days inventory outstanding", INVENTORIES, COST_OF_REVENUE)
_DSO = days("Days sales outstanding", RECEIVABLES, REVENUE)
_AVERAGE_PAYABLES = PAYABLES.averaged()
#: Purchases, the flow payables are paid from: cost of revenue plus the change in inventories.
_DPO = Formula(
    "Days payable outstanding",
    (_AVERAGE_PAYABLES, COST_OF_REVENUE, INVENTORIES, _PRIOR_INVENTORIES),
    lambda v: 365 * v[0] / (v[1] + v[2] - v[3]),
    f"365 × {_AVERAGE_PAYABLES.name} / ({COST_OF_REVENUE.name} + {INVENTORIES.name} - "
    f"{_PRIOR_INVENTORIES.name})",
    "days",
    (1,),
)
_AVERAGE_INVENTORIES, _AVERAGE_RECEIVABLES = INVENTORIES.averaged(), RECEIVABLES.averaged()
_CCC = Formula(
    "Cash conversion cycle",
    (_AVERAGE_INVENTORIES, COST_OF_REVENUE, _AVERAGE_RECEIVABLES, REVENUE, *_DPO.operands[:1], INVENTORIES,
     _PRIOR_INVENTORIES),
    lambda v: 365 * v[0] / v[1] + 365 * v[2] / v[3] - 365 * v[4] / (v[1] + v[5] - v[6]),
    "Days inventory outstanding + Days sales outstanding - Days payable outstanding, = "
    f"365 × {_AVERAGE_INVENTORIES.name} / {COST_OF_REVENUE.name} + 365 × {_AVERAGE_RECEIVABLES.name} / "
    f"{REVENUE.name} - 365 × {_AVERAGE_PAYABLES.name} / ({COST_OF_REVENUE.name} + {INVENTORIES.name} - "
    f"{_PRIOR_INVENTORIES.name})",
    "days",
    (1, 3),
)  # fmt: skip

#: Named formulas, by the words that ask for them; the first match is taken, so a longer name
#: comes before one it contains ("fixed asset turnover" before "asset turnover").
NAMED: tuple[tuple[re.Pattern[str], Formula], ...] = tuple(
    (re.compile(asked, re.I), formula)
    for asked, formula in (
        (r"operating\s+cash\s+flow\s+ratio", ratio("Operating cash flow ratio", CFO, CURRENT_LIABILITIES)),
        (
            r"quick\s+ratio|acid[-\s]test",
            Formula(
                "Quick ratio",
                (CURRENT_ASSETS, INVENTORIES, CURRENT_LIABILITIES),
                lambda v: (v[0] - v[1]) / v[2],
                f"({CURRENT_ASSETS.name} - {INVENTORIES.name}) / {CURRENT_LIABILITIES.name}",
                positive=(2,),
            ),
        ),
        (
            r"current\s+ratio|working\s+capital\s+ratio",
            ratio("Current ratio", CURRENT_ASSETS, CURRENT_LIABILITIES),
        ),
        (
            r"return\s+on\s+(total\s+)?assets|\broa\b",
            ratio("Return on assets", NET_INCOME, TOTAL_ASSETS.averaged()),
        ),
        (
            r"fixed\s+asset\s+turnover",
            ratio("Fixed asset turnover ratio", REVENUE, NET_PPE.averaged()),
        ),
        (r"(total\s+)?asset\s+turnover", ratio("Asset turnover ratio", REVENUE, TOTAL_ASSETS.averaged())),
        (
            r"inventory\s+turnover",
            ratio("Inventory turnover ratio", COST_OF_REVENUE, INVENTORIES.averaged()),
        ),
        (r"days\s+payables?\s+outstanding|\bdpo\b", _DPO),
        (r"days\s+(of\s+)?inventory\s+(outstanding|on\s+hand)|\bdio\b", _DIO),
        (r"days\s+sales\s+outstanding|\bdso\b", _DSO),
        (r"cash\s+conversion\s+cycle|\bccc\b", _CCC),
        (r"effective\s+(income\s+)?tax\s+rate", ratio("Effective tax rate", TAX, PRETAX, "percent")),
        (r"(dividend\s+)?payout\s+ratio", ratio("Dividend payout ratio", DIVIDENDS, NET_INCOME, "percent")),
        (
            r"retention\s+ratio|plowback\s+ratio",
            Formula(
                "Retention ratio",
                (NET_INCOME, DIVIDENDS),
                lambda v: (v[0] - v[1]) / v[0],
                f"({NET_INCOME.name} - {DIVIDENDS.name}) / {NET_INCOME.name}",
                positive=(0,),
            ),
        ),
        (
            r"interest\s+coverage",
            Formula(
                "Interest coverage ratio",
                (OPERATING_INCOME, INTEREST),
                lambda v: v[0] / abs(v[1]),
                f"{OPERATING_INCOME.name} / {INTEREST.name}",
            ),
        ),
    )
)
