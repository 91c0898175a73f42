"""The heading of a page: the title lines at its top and, for a table, the line of column headers.

A chunk cut from the middle of a statement ("Purchases of property, plant and equipment (1,577)
(1,373) (1,420)") says neither which statement nor which years its columns are. The heading of
its page ("Consolidated Statement of Cash Flows | Years ended December 31 | (Millions) 2018 2017
2016") is put in front of every chunk of the page when it is embedded and keyword-indexed, and
retrieval matches the question's statement names against it.
"""

from __future__ import annotations

import re

MAX_TITLE_LINES = 4
MAX_HEADING_CHARS = 200
# Page numbers and running heads; a year alone on its line ("2015") is a column's header, kept.
_SKIP = re.compile(
    r"^(table of contents|index|\(unaudited\)|page \d+|(?!(?:19|20)\d\d$)\d+|[ivxlc]+|-\s*\d+\s*-)$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"[\d$%()]")
_YEAR_ROW = re.compile(r"(?:(?:19|20)\d\d\D{0,12}){2,}")
_AMOUNT = re.compile(r"\d{3}")  # a table's value: its rows are no title
#: What a table's columns hold, printed above them: its scale ("(In thousands)", "(Dollars in
#: millions, except per share data)") and its periods ("Fiscal years ended December 25, 2021, ...").
_SCALE_NOTE = re.compile(
    r"^\(?\s*(?:\$\s*)?(?:(?:amounts|dollars)\s+)?in\s+(?:thousands|millions|billions)\b", re.IGNORECASE
)
_SCALE_SAID = re.compile(r"\bin\s+(?:thousands|millions|billions)\b", re.IGNORECASE)
_STATEMENT_WORDS = re.compile(r"statements?\b|balance\s+sheets?|\bnotes?\b", re.IGNORECASE)
_COLUMN_NOTE = re.compile(
    rf"{_SCALE_NOTE.pattern}|\b(?:years?|quarters?|months|weeks|periods?)\s+ended\b", re.IGNORECASE
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b{_MONTH}\s+\d{{1,2}},?\s+(?:19|20)\d\d\b", re.IGNORECASE)
#: A piece of a column header set over several lines: "Years Ended", "November 27,", "2015".
_COLUMN_PIECE = re.compile(
    rf"^(?:(?:19|20)\d\d|{_MONTH}\s+\d{{1,2}},?(?:\s+(?:19|20)\d\d)?|(?:fiscal\s+)?(?:years?|quarters?|"
    r"(?:three|six|nine|twelve)\s+months|\d{1,2}\s+weeks)\s+ended,?|as\s+of)$",
    re.IGNORECASE,
)

#: Statement names as questions say them -> words their page titles use.
STATEMENT_SYNONYMS: dict[str, tuple[str, ...]] = {
    "cash flow": ("cash flows", "cash flow"),
    "balance sheet": ("balance sheet", "balance sheets", "financial position", "financial condition"),
    "income statement": (
        "statements of income",
        "statement of income",
        "statements of operations",
        "statement of operations",
        "statements of earnings",
        "statement of earnings",
        "income statement",
        "profit and loss",
    ),
    "equity": ("stockholders' equity", "shareholders' equity", "changes in equity"),
}
_QUESTION_STATEMENT = {
    "cash flow": re.compile(r"cash[\s-]*flows?\s+statement|statements?\s+of\s+cash\s+flows?", re.I),
    "balance sheet": re.compile(r"balance\s+sheets?|statements?\s+of\s+financial\s+position", re.I),
    "income statement": re.compile(
        r"income\s+statements?|statements?\s+of\s+(income|operations|earnings)|p\s*&\s*l\b|profit\s+and\s+loss",
        re.I,
    ),
    "equity": re.compile(r"statements?\s+of\s+(stockholders'?|shareholders'?)\s+equity", re.I),
}


def page_heading(text: str) -> str:
    """Title lines from the top of a page and its first row of years, joined by " | "."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = _join_word_lines(_join_column_pieces([line for line in lines if line and not _SKIP.match(line)]))
    titles: list[str] = []
    notes: list[str] = []  # the scale and periods printed over the columns, dates and all
    year_row = ""
    for line in lines[:12]:
        if _YEAR_ROW.search(line) and len(line) < 90 or _is_date_row(line):
            year_row = line
            break
        if _COLUMN_NOTE.search(line) and len(line) <= 90 and len(notes) < 2:
            notes.append(line)
        elif len(titles) < MAX_TITLE_LINES and len(line) <= 90 and _mostly_words(line):
            titles.append(line)
        elif titles or notes:
            break
    if not any(_SCALE_SAID.search(p) for p in [*titles, *notes, year_row]):  # printed under the dates
        notes += [line for line in lines[:12] if len(line) <= 60 and _SCALE_NOTE.search(line)][:1]
    parts = [*titles, *notes, year_row] if year_row else [*titles, *notes]
    while len(" | ".join(parts)) > MAX_HEADING_CHARS and len(titles) > 1:
        # The columns' scale and years matter more than a title that names no statement.
        spare = [t for t in titles if not _STATEMENT_WORDS.search(t)] or titles
        titles.remove(spare[0])
        parts.remove(spare[0])
    return " | ".join(parts)[:MAX_HEADING_CHARS]


def _is_date_row(line: str) -> bool:
    """A row of column dates ("Years Ended November 27, 2015 November 28, 2014"), not a sentence."""
    return len(_DATE.findall(line)) >= 2 and len(_DATE.sub("", line).strip()) <= 30


def _join_column_pieces(lines: list[str]) -> list[str]:
    """A column header set one piece per line ("Years Ended", "November 27,", "2015", "November
    28,", "2014") is read as one line, so its dates keep their years."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line and _COLUMN_PIECE.match(line):
            run.append(line)
            continue
        if run:
            out.append(" ".join(run))
            run = []
        if line:
            out.append(line)
    return out


def _join_word_lines(lines: list[str]) -> list[str]:
    """Some PDFs set a title one word per line ("MGM", "RESORTS", ..., "BALANCE", "SHEETS"): a run
    of three or more such lines is read as one line (up to the title length), so the statement's
    name is in the heading and not cut after its first words."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        out.extend([" ".join(run)] if len(run) >= 3 else run)
        run.clear()

    for line in lines:
        short = len(line.split()) <= 2 and not _YEAR_ROW.search(line) and not _AMOUNT.search(line)
        if short and len(" ".join([*run, line])) <= 90:
            run.append(line)
            continue
        flush()
        if short:
            run.append(line)
        else:
            out.append(line)
    flush()
    return out


#: Metrics -> the statement that reports them, for questions that name a metric but no statement.
_METRIC_STATEMENT = {
    "cash flow": re.compile(
        r"\bcapex\b|capital\s+expenditures?|free\s+cash\s+flow|\bfcf\b|cash\s+(?:flows?\s+)?from\s+operat|"
        r"operating\s+cash\s+flow|dividends?\s+paid|(?:share|stock)\s+repurchases?|buybacks?",
        re.I,
    ),
    "balance sheet": re.compile(
        r"working\s+capital|current\s+(?:assets|liabilities|ratio)|quick\s+ratio|total\s+(?:assets|liabilities)|"
        r"inventor(?:y|ies)|accounts\s+(?:payable|receivable)|\bpp\s*&\s*e\b|\bppne\b|"
        r"property,?\s+plant|cash\s+(?:and|&)\s+cash\s+equivalents|(?:shareholders|stockholders)'?\s+equity|"
        r"book\s+value|\bdebt\b",
        re.I,
    ),
    "income statement": re.compile(
        r"\brevenues?\b|net\s+sales|net\s+income|operating\s+(?:income|margin|expenses)|gross\s+(?:margin|profit)|"
        r"\beps\b|earnings\s+per\s+share|cost\s+of\s+(?:goods|sales|revenue)|\bcogs\b|\bebitda\b|"
        r"interest\s+expense|\bsg\s*&\s*a\b",
        re.I,
    ),
}


def compact_heading(heading: str, max_chars: int) -> str:
    """The heading's last parts that fit in ``max_chars`` (the column years and the statement title
    come last, the company's name first), in their original order."""
    kept: list[str] = []
    for part in reversed(heading.split(" | ")):
        if sum(len(p) + 3 for p in kept) + len(part) > max_chars:
            break
        kept.insert(0, part)
    return " | ".join(kept)


def statements_asked(question: str) -> set[str]:
    """Which financial statements a question names ("... shown in the cash flow statement")."""
    return {name for name, pattern in _QUESTION_STATEMENT.items() if pattern.search(question)}


def statements_implied(question: str) -> set[str]:
    """Statements that report the metrics a question asks about ("FY2018 capex" -> cash flow)."""
    return {name for name, pattern in _METRIC_STATEMENT.items() if pattern.search(question)}


def heading_names_statement(heading: str, statement: str) -> bool:
    lowered = heading.lower().replace("shee t", "sheet")
    return any(word in lowered for word in STATEMENT_SYNONYMS[statement])


def _mostly_words(line: str) -> bool:
    return len(_NUMBER.findall(line)) <= max(2, len(line) // 10)
