"""A table row of a statement read as what it says: its label, its values as printed, the period of
each column and the scale, from the row and the heading of its page ("Consolidated Statements of
Operations | (In millions) | Three Months Ended | December 31, 2022 December 25, 2021").

Pure functions over text: no model is asked. A row that cannot be read this way gives None, and
the caller falls back to quoting it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VALUE = re.compile(r"\(?-?\$?\s?\d[\d,]*(?:\.\d+)?\)?%?")
#: A cell: a value, or a dash printed for nil ("Deferred income taxes — 95,279").
_CELL = re.compile(rf"{_VALUE.pattern}|(?<!\S)[—–-](?!\S)")
_LEADING_NILS = re.compile(r"(?:\s\$?\s?[—–-])+\s*\$?\s*$")
NIL = frozenset("—–-")
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_DATE = re.compile(rf"{_MONTH}\s+\d{{1,2}},?\s+(?:19|20)\d\d", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d,.$])(?:19|20)\d\d(?![\d,.%])")
_SPAN = re.compile(
    r"\b(three|six|nine|twelve|3|6|9|12)\s+months\s+ended\b|\b(?:fiscal\s+)?(years?|quarters?)\s+ended\b",
    re.I,
)
# "(In millions", "(Millions)", "($ in thousands", "in millions of dollars": not "millions of users".
_SCALE = re.compile(
    r"(?:\(\s*(?:\$\s*)?(?:in\s+|amounts\s+in\s+)?|\bin\s+)(thousands|millions|billions)\b(?!\s+of\s+(?!dollars))",
    re.I,
)
_COMPANY_SUFFIX = re.compile(
    r"[,\s]+(?:inc\.?|incorporated|corp\.?|corporation|co\.?|company|ltd\.?|limited|plc|llc|n\.v\.|s\.a\.)$",
    re.IGNORECASE,
)


#: A year written on its own ("FY2019", "2019"; not a part of "120194").
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_NOTE_REFERENCE = re.compile(r"\((?:see\s+)?notes?\s+\d+[\w\s,&-]{0,20}\)", re.IGNORECASE)  # "(Note 6)"

#: "($0.01 per share)", or "($0.01 per" where the line breaks inside it.
_WORDED_ASIDE = re.compile(r"\([^()]*\$?\d[^()]*\b[A-Za-z]{2,}[^()]*(?:\)|$)")


_LABEL_MARKS = re.compile(rf"(\s*{_NOTE_REFERENCE.pattern}|\s*\([a-z\d]\))+\s*$", re.IGNORECASE)


def plain_label(label: str) -> str:
    """A row label without the note reference or footnote mark after it ("Inventories, net
    (Note 6)" -> "Inventories, net", "Revenues (a)" -> "Revenues")."""
    return _LABEL_MARKS.sub("", label).strip(" :")


@dataclass(frozen=True)
class StatementLine:
    """A row: its label and its values, left to right, as printed ("(1,577)", "7.4%")."""

    label: str
    values: tuple[str, ...]
    dollars: bool  # the row itself shows "$"

    @property
    def amounts(self) -> list[str]:  # a nil column is "—"
        """The values that are amounts, not a "% change" column (all of them if every one is)."""
        return [v for v in self.values if not v.endswith("%")] or list(self.values)


def parse_line(line: str) -> StatementLine | None:
    """``"Total net sales $ 117,154 $ 123,945"`` -> label and values; None when the row has no
    words before its values or no value that is more than a note number."""
    text = re.sub(r"(\d|\))\s+%", r"\1%", " ".join(line.split()))  # "43.0 %" -> "43.0%"
    # Part of the label, not values: "(Note 6)", "($0.01 per share)".
    notes = [m.span() for m in (*_NOTE_REFERENCE.finditer(text), *_WORDED_ASIDE.finditer(text))]
    first = None
    for match in _VALUE.finditer(text):
        if any(start <= match.start() < end for start, end in notes):
            continue
        if match.group(0).strip("()$ ").replace(",", "").replace(".", "").rstrip("%").isdigit():
            if text[: match.start()].strip(" $").strip() and _words(text[: match.start()]):
                first = match.start()
                break
    if first is None:
        return None
    nils = _LEADING_NILS.search(text[:first])  # a row whose first columns are nil
    if nils and _words(text[: nils.start()]):
        first = nils.start()
    label = text[:first].strip(" $:.-–—").strip()
    rest = text[first:]
    values = tuple(v.replace(" ", "").replace("$", "") for v in _CELL.findall(rest))
    values = tuple(v for v in values if v.strip("()%"))
    leftover = _CELL.sub(" ", rest).replace("$", " ").strip()
    if not values or not _words(label) or _words(leftover) > 1:
        return None  # prose with a number in it, not a table row
    if len(values) == 1 and _is_year(values[0]):
        return None
    return StatementLine(label, values, "$" in rest)


#: Where one printed row ends and the next begins inside one extracted line: after a value (or a
#: nil "-" after one), before a capitalised word ("... 594.7 After-tax earnings ..."), or after a
#: colon that ends a caption.
_ROW_BREAK = re.compile(r"(?:(?<=[\d)%:])|(?<=[\d)] -)|(?<=[\d)] —))\s+(?=[A-Z][a-z])")
_HAS_VALUE = re.compile(r"\d[\d,]{2,}|\d\.\d")
_CONTINUES = re.compile(r"(,|\band|\bof|\bin|\bfor|\bto)$", re.IGNORECASE)


def table_rows(text: str) -> list[str]:
    """A passage's lines as table rows: several rows that PDF extraction ran into one line are
    split ("... 2,210.8 Adjustments to reconcile ...: Depreciation and amortization 570.3 ..."),
    and a label set one word per line ("Property" "and" "equipment," "net 20,729,888") or broken
    after "of" ("NET INCOME ATTRIBUTABLE TO SHAREOWNERS OF" "THE COCA-COLA COMPANY $ 1,248") is
    joined to the row it begins."""
    rows: list[str] = []
    pending: list[str] = []
    heading, under = "", []  # the caption over the rows since it ("Revenues"), to name their total
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        if not _HAS_VALUE.search(line) and (len(line.split()) <= 3 or _CONTINUES.search(line)):
            pending.append(line)  # a label's first words, or a caption
            continue
        if rows and rows[-1].count("(") > rows[-1].count(")"):  # "... ($0.01 per" "share) — (4,789)"
            line = f"{rows.pop()} {line}"
            under = under[:-1]
        elif pending and (line[:1].islower() or _CONTINUES.search(pending[-1])):
            line = " ".join([*pending, line])
        elif pending:
            heading, under = pending[-1].rstrip(":"), []
        pending = []
        for piece in (p for p in _ROW_BREAK.split(line) if p.strip()):
            total = _total_of(heading, under, piece)
            if total:
                piece, heading, under = total, "", []
            else:
                under.append(piece)
            rows.append(piece)
    return rows


def _total_of(heading: str, rows: list[str], line: str) -> str:
    """An unlabelled row that sums the rows under a caption, labelled as their total: "Revenues",
    "Casino $ 2,871,720", ..., "Reimbursed costs 244,949", "5,162,082" -> "Total revenues
    5,162,082"; "" for any other line."""
    if not heading or len(rows) < 2 or _words(line) or _words(heading) == 0:
        return ""
    totals = _cells(line)
    parsed = [parse_line(r) for r in rows]
    if not totals or any(p is None or len(p.values) != len(totals) for p in parsed):
        return ""
    for column, total in enumerate(totals):
        summed = sum(_cell_value(p.values[column]) for p in parsed if p is not None)
        if abs(summed - _cell_value(total)) > max(1.0, 0.001 * abs(_cell_value(total))):
            return ""
    return f"Total {heading[0].lower()}{heading[1:]} {line}"


def _cells(line: str) -> list[str]:
    return [c.replace(" ", "").replace("$", "") for c in _CELL.findall(line) if c.strip("()$ %")]


def _cell_value(cell: str) -> float:
    if cell in NIL:
        return 0.0
    number = float(cell.strip("()$%-").replace(",", "") or 0)
    return -number if cell.startswith(("(", "-")) else number


def column_periods(context: str, columns: int) -> list[str]:
    """The period of each of ``columns`` value columns, from a page heading: dates ("December 31,
    2022") or years, with the span before them ("the three months ended December 31, 2022"; a date
    without one is a balance sheet's); [] when they do not match."""
    dates = [" ".join(d.split()) for d in _DATE.findall(context)]
    spans = [_span_words(s.group(0)) for s in _SPAN.finditer(context)]
    span_text = spans[0] if spans else ""
    if dates and len(dates) >= columns:
        if len(spans) == 2 and columns % 2 == 0 and columns >= 4:  # "Three Months Ended Nine Months Ended"
            half = columns // 2
            return [f"{spans[i // half]} {d}" for i, d in enumerate(dates[:columns])]
        if not span_text:  # a balance sheet's dates: a figure "at December 31, 2022"
            return dates[:columns]
        return [f"{span_text} {d}" for d in dates[:columns]]
    years = _YEAR.findall(context.split(" | ")[-1]) if context else []
    if years and len(years) >= columns:
        if span_text:
            month_day = re.search(rf"ended\s+({_MONTH}\s+\d{{1,2}})", context, re.I)
            ended = f" {month_day.group(1)}," if month_day else ""
            return [f"{span_text}{ended} {y}" for y in years[:columns]]
        return [f"fiscal {y}" for y in years[:columns]]
    return []


def _span_words(span: str) -> str:
    words = " ".join(span.lower().split())
    return "the " + words.replace("years", "year").replace("quarters", "quarter")


def header_periods(context: str, text: str, columns: int) -> list[str]:
    """``column_periods`` from the page heading, else from a line of column dates near the top of
    the passage itself (a balance sheet whose dates come after its title lines), or from its top
    lines read together (dates set over two lines: "November 27," "2015")."""
    periods = column_periods(context, columns)
    if periods:
        return periods
    top = text.splitlines()[:15]
    for line in top:
        if len(line) < 160 and len(_DATE.findall(line)) >= columns:
            return column_periods(f"{context} | {line}", columns)
    joined = " ".join(" ".join(top).split())
    dates = _DATE.findall(joined)
    if len(dates) >= columns:
        return column_periods(f"{context} | {' '.join(dates)}", columns)
    return []


def scale(context: str, text: str = "") -> str:
    """ "million", "thousand" or "billion" when the page says its amounts are in them, else ""."""
    for where in (context, text):
        found = _SCALE.search(where or "")
        if found:
            return found.group(1).lower().rstrip("s")
    return ""


def company(label: str) -> str:
    """The company's short name from a document label ("Apple Inc., 10-Q, ..." -> "Apple")."""
    name = label.split(",")[0].strip() if "," in label else ""
    if not name or len(name) > 60 or re.search(r"\d{3,}|^\d{1,2}-?[KQF]\b", name):
        return ""  # no company on the cover: "10-K, fiscal year 2018"
    short = _COMPANY_SUFFIX.sub("", name).strip().rstrip(" &").strip()  # "JPMorgan Chase & Co."
    return re.sub(r"^the\s+(?=\S)", "", short, flags=re.IGNORECASE)  # "The Boeing Company" -> "Boeing"


def possessive(name: str) -> str:
    """ "Apple" -> "Apple's", "General Mills" -> "General Mills'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def filing_year(label: str) -> int | None:
    """The latest year a document ``label`` names: an annual report's own fiscal year."""
    years = [int(y) for y in YEAR.findall(label)]
    return max(years) if years else None


def column_year(label: str, column: int) -> str:
    """The fiscal year of a column on a page that prints no periods, by the rule filings follow
    (an annual report's own year, from its document ``label``, first, then the years before it);
    "" for a quarterly report or a label without a year."""
    filed = filing_year(label)
    if filed is None or re.search(r"10-?Q|quarterly", label, re.IGNORECASE):
        return ""
    return f"fiscal {filed - column}"


def column_of_year(label: str, question: str, count: int) -> int:
    """On a page that prints no periods, the column of the year ``question`` names, by the same
    rule as ``column_year``; the first column when it names none or that year is not there."""
    if not column_year(label, 0):
        return 0
    filed = filing_year(label) or 0
    return next((filed - int(y) for y in YEAR.findall(question) if 0 <= filed - int(y) < count), 0)


def amount(value: str, unit: str, dollars: bool) -> str:
    """A printed value as it is said: "(1,577)" in millions of dollars -> "-$1,577 million"."""
    negative = value.startswith("(") and value.endswith(")") or value.startswith("-")
    bare = value.strip("()-")
    if bare.endswith("%"):
        return ("-" if negative else "") + bare
    sign = "-" if negative else ""
    money = "$" if dollars else ""
    return f"{sign}{money}{bare}" + (f" {unit}" if unit else "")


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", text))


def _is_year(value: str) -> bool:
    return bool(re.fullmatch(r"(?:19|20)\d\d", value))
