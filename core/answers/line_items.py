"""The statement lines formulas take (core.answers.formulas): each line's name, the row labels
filings print it under, and the words a question names it by. Only data and one lookup."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from core.answers.statement_lines import plain_label


@dataclass(frozen=True)
class Line:
    """A statement line a formula takes, and which of its columns: the year the figure is for,
    ``shift`` years before it, or (``average``) the mean of that year's and the year before's
    values, as a balance-sheet line is averaged for a turnover ratio."""

    name: str
    labels: re.Pattern[str]  # the row labels that report it ("Total net sales")
    said: re.Pattern[str]  # how a question names it ("revenue", "COGS")
    shift: int = 0
    average: bool = False
    outflow: bool = False  # a cash-flow line printed negative ("(1,577)"): its size is used
    statement: str = ""  # the statement that reports it, as a question names it ("balance sheet")

    def reports(self, label: str) -> bool:
        """Whether a statement row printed under ``label`` is this line; a note reference or a
        footnote mark after it ("Inventories, net (Note 6)", "Revenues (a)") does not count."""
        return bool(self.labels.search(plain_label(label)))

    def earlier(self, years: int, name: str = "") -> Line:
        """The same line ``years`` before ("Revenue (FY earlier)")."""
        return replace(self, name=name or f"{self.name} (earlier)", shift=self.shift + years)

    def averaged(self) -> Line:
        return replace(self, name=f"Average {self.name[0].lower()}{self.name[1:]}", average=True)


def _line(name: str, labels: str, said: str, statement: str, outflow: bool = False) -> Line:
    flags = re.IGNORECASE
    return Line(
        name, re.compile(labels, flags), re.compile(said, flags), outflow=outflow, statement=statement
    )


_INCOME, _BALANCE, _CASH = "income statement", "balance sheet", "cash flow statement"


REVENUE = _line(
    "Revenue",
    r"^(total\s+)?(net\s+)?(revenues?|sales|net\s+sales|operating\s+revenues?)(\s*,\s*net)?$",
    r"\b(total\s+)?(net\s+)?(revenues?|sales|turnover)\b",
    _INCOME,
)
COST_OF_REVENUE = _line(
    "Cost of revenue",
    r"^(total\s+)?cost\s+of\s+(revenues?|sales|goods\s+sold|products\s+sold)",
    r"\bcogs\b|\bcost\s+of\s+(goods(\s+sold)?|sales|revenues?|products(\s+sold)?)\b",
    _INCOME,
)
GROSS_PROFIT = _line("Gross profit", r"^gross\s+(profit|margin)$", r"\bgross\s+(profit|margin)\b", _INCOME)
OPERATING_INCOME = _line(
    "Operating income",
    r"^(total\s+)?(operating\s+income|income\s+from\s+operations|operating\s+profit)(\s+\(loss\))?$",
    r"\boperating\s+(income|profit|margin)\b|\bincome\s+from\s+operations\b|\bebit\b",
    _INCOME,
)
NET_INCOME = _line(
    "Net income",
    r"^net\s+(income|earnings)(\s+\(loss\))?(\s+attributable\s+to\s+(?![\w\s]*(non-?controlling|minority))[\w\s.,&'-]+)?$",
    r"\bnet\s+(income|earnings|profit|margin)\b",
    _INCOME,
)
CFO = _line(
    "Net cash provided by operating activities",
    r"^(net\s+)?cash\s+(provided\s+by|from|generated\s+(by|from))\s+(\(used\s+in\)\s+)?operating\s+activities",
    r"\bcash\s+(flows?\s+)?from\s+operations\b|\boperating\s+cash\s+flows?\b|"
    r"\bcash\s+(provided\s+by|from)\s+operating\s+activities\b",
    _CASH,
)
CAPEX = _line(
    "Purchases of property, plant and equipment",
    r"^(purchases?|payments?\s+for|additions?\s+to|acquisitions?|expenditures?\s+for)\s+(of\s+)?"
    r"[\w,\s]{0,40}?\b(property|equipment|buildings)\b|^capital\s+(expenditures?|spending)\b",
    r"\bcapex\b|\bcapital\s+expenditures?\b",
    _CASH,
    outflow=True,
)
DEPRECIATION = _line(
    "Depreciation and amortization",
    r"^depreciation(,\s*depletion)?\s+(and|&)\s+amortization\b",
    r"\bd\s?&\s?a\b|\bdepreciation\s+(and|&)\s+amortization\b",
    _CASH,
)
CURRENT_ASSETS = _line(
    "Total current assets", r"^total\s+current\s+assets$", r"\bcurrent\s+assets\b", _BALANCE
)
CURRENT_LIABILITIES = _line(
    "Total current liabilities", r"^total\s+current\s+liabilities$", r"\bcurrent\s+liabilities\b", _BALANCE
)
TOTAL_ASSETS = _line("Total assets", r"^total\s+assets$", r"\btotal\s+assets\b", _BALANCE)
NET_PPE = _line(
    "Property, plant and equipment, net",
    r"^(total\s+)?(net\s+property\b.{0,30}equipment|property\b.{0,30}equipment,?\s*(-\s*)?net\b|property,\s+net$)",
    r"\bpp\s?&\s?e\b|\bproperty,?\s+plant,?\s+and\s+equipment\b|\bfixed\s+assets\b",
    _BALANCE,
)
INVENTORIES = _line(
    "Inventories", r"^(merchandise\s+)?inventor(y|ies)(,\s*net)?$", r"\binventor(y|ies)\b", _BALANCE
)
RECEIVABLES = _line(
    "Accounts receivable",
    r"^(trade\s+)?(accounts\s+)?receivables?(,?\s*(net|less\s+allowance.*))?$|^accounts\s+and\s+notes\s+receivable",
    r"\b(accounts\s+)?receivables?\b",
    _BALANCE,
)
PAYABLES = _line(
    "Accounts payable",
    r"^(trade\s+)?accounts\s+payable(\s*[-,]\s*trade)?$",
    r"\baccounts\s+payable\b",
    _BALANCE,
)
TAX = _line(
    "Income tax expense",
    r"^(provision\s+for|benefit\s+from|\(?benefit\)?\s*)?income\s+tax(es)?(\s+expense)?(\s+\(benefit\))?$",
    r"\b(income\s+)?tax\s+(expense|provision)\b|\bprovision\s+for\s+income\s+taxes\b",
    _INCOME,
)
PRETAX = _line(
    "Income before income taxes",
    r"^(income|earnings)\s+(\(loss\)\s+)?before\s+(provision\s+for\s+)?income\s+tax",
    r"\b(pre-?tax\s+income|income\s+before\s+(income\s+)?taxes)\b",
    _INCOME,
)
DIVIDENDS = _line("Dividends paid", r"^(cash\s+)?dividends\s+paid", r"\bdividends\b", _CASH, outflow=True)
INTEREST = _line("Interest expense", r"^interest\s+expense(,\s*net)?$", r"\binterest\s+expense\b", _INCOME)

#: Most specific first: "cost of revenue" before "revenue", "operating cash flow" before
#: "operating income".
KNOWN: tuple[Line, ...] = (
    COST_OF_REVENUE, GROSS_PROFIT, CFO, OPERATING_INCOME, NET_INCOME, CAPEX, DEPRECIATION,
    CURRENT_ASSETS, CURRENT_LIABILITIES, TOTAL_ASSETS, NET_PPE, INVENTORIES, RECEIVABLES, PAYABLES,
    TAX, PRETAX, DIVIDENDS, INTEREST, REVENUE,
)  # fmt: skip


def line_asked(question: str) -> Line | None:
    """The known line a question names in its own words ("What was the COGS?"), or None."""
    return next((line for line in KNOWN if line.said.search(question)), None)


def line_named(words: str) -> Line | None:
    """The known line a question's words name ("cash from operations", "COGS"), or None; also a
    row label itself ("Net revenues")."""
    text = " ".join(words.split())
    return next((line for line in KNOWN if line.said.search(text) or line.labels.search(text)), None)
