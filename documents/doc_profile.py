"""What a document is about, read from its cover page and file name: the company (or author) it
names, the kind of report, the period it covers and the years it speaks of.

The profile labels every passage (so a passage from a table still says which filing it is from),
and lets retrieval prefer the documents a question names ("NVIDIA's Q1 2023 10-Q", "3M's FY2018
cash flow statement"). Everything here is plain pattern reading; a document that has no cover
page simply gets a profile built from its file name.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

from utils.document_label import document_label
from utils.number_words import NUMBER_WORDS

_MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}
_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),\s*((?:19|20)\d\d)\b")
_PERIOD = re.compile(
    r"(?:for\s+the\s+)?(quarterly\s+period|fiscal\s+year|year|quarter)\s+ended\s+"
    r"([A-Z][a-z]{2,8}\.?\s+\d{1,2},\s*(?:19|20)\d\d)",
    re.IGNORECASE,
)
_FORM = re.compile(r"\bFORM\s+(10-K|10-Q|8-K|20-F|6-K)\b", re.IGNORECASE)
_REGISTRANT = re.compile(r"exact\s+name\s+of\s+(?:the\s+)?registrant", re.IGNORECASE)  # \s: also "\xa0"
_LETTER_APART = re.compile(r"(?:^|\s)[A-Z]$")  # "R", "ESORTS I": small capitals, a capital set apart
_COMPANY_LINE = re.compile(
    r"^[A-Z0-9][A-Za-z0-9&.,'\- ]{1,60}?"
    r"\b(INC\.?|CORPORATION|COMPANY|CORP\.?|INCORPORATED|CO\.|PLC|LTD\.?|N\.V\.|S\.A\.)$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
_QUARTER_IN_NAME = re.compile(r"(?:(?<![A-Za-z])Q([1-4])(?![0-9]))", re.IGNORECASE)
_ORDINAL_QUARTER = re.compile(r"\b(first|second|third|fourth)[\s-]+quarter\b", re.IGNORECASE)
_NOT_A_NAME = re.compile(r"^(q[1-4]|fy\d*|\d+(st|nd|rd|th|q|k)?|.*\d.*\d.*)$")

#: Words in company names and file names that say nothing about which company it is.
GENERIC_NAME_WORDS = frozenset(
    "inc corp corporation company co incorporated the and of plc ltd group holdings com sa nv "
    "10k 10q 8k 20f 6k k q earnings dated report annual quarterly form pdf results release final draft "
    "copy scan document doc".split()
)


@dataclass(frozen=True)
class DocProfile:
    """Who and when a document is about; every field may be empty."""

    company: str = ""  # as printed on the cover, e.g. "NVIDIA CORPORATION"
    form: str = ""  # "10-K", "10-Q", "8-K", ... or ""
    period: str = ""  # e.g. "quarterly period ended April 30, 2023"
    period_end: str = ""  # ISO date of the period end, e.g. "2023-04-30"
    years: tuple[int, ...] = ()  # years the file name and the period name
    quarter: int = 0  # 1-4 when the file name or cover names one
    names: tuple[str, ...] = field(default=())  # lower-case words identifying the company

    def label(self, file: str) -> str:
        """A short label for prompts and embedded text: company, form, period, then the file stem."""
        return document_label(self.as_dict(), file)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> DocProfile:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["years"] = tuple(known.get("years", ()))
        known["names"] = tuple(known.get("names", ()))
        return cls(**known)


def profile_document(file: str, title: str, pages: list[str]) -> DocProfile:
    """Read a profile from the first pages (the cover), the PDF title and the file name."""
    cover = "\n".join(pages[:2])[:6000]
    lines = [line.strip(" _\t") for line in cover.splitlines() if line.strip(" _\t")]
    company = _company(lines)
    form_match = _FORM.search(cover)
    period_match = _PERIOD.search(cover)
    period, period_end = "", ""
    if period_match:
        period = " ".join(f"{period_match.group(1).lower()} ended {period_match.group(2)}".split())
        period_end = _iso(period_match.group(2)) or ""
    stem = file.rsplit(".", 1)[0]
    years = {int(y) for y in _YEAR.findall(stem)}
    if period_end:
        years.add(int(period_end[:4]))
    quarter = _quarter(stem) or _quarter(cover[:600])
    names = name_words(f"{company} {stem} {title if _looks_like_name(title) else ''}")
    return DocProfile(
        company=company,
        form=form_match.group(1).upper() if form_match else _form_from_name(stem),
        period=period,
        period_end=period_end,
        years=tuple(sorted(years)),
        quarter=quarter,
        names=tuple(sorted(names)),
    )


def name_words(text: str) -> set[str]:
    """Identifying lower-case words of a name ("JOHNSON_JOHNSON_2022_10K" -> {"johnson"})."""
    words = re.findall(r"[a-z0-9][a-z0-9&]*", re.sub(r"[_\-.]", " ", text.lower()))
    return {w for w in words if len(w) >= 2 and w not in GENERIC_NAME_WORDS and not _NOT_A_NAME.match(w)}


def _company(lines: list[str]) -> str:
    for i, line in enumerate(lines):
        if _REGISTRANT.search(line) and i > 0:
            return _clean_company(_name_above(lines, i))
    for line in lines[:60]:
        if _COMPANY_LINE.match(line) and not line.lower().startswith(("commission", "state", "form")):
            return _clean_company(line)
    return ""


def _name_above(lines: list[str], registrant: int) -> str:
    """The line above "(Exact name of registrant ...)", with the pieces of a name set in small
    capitals that text extraction put on lines of their own ("MGM" "R" "ESORTS I" "NTERNATIONAL"
    -> "MGM RESORTS INTERNATIONAL")."""
    name, at = lines[registrant - 1], registrant - 2
    joined = False
    while at >= 0 and registrant - at <= 6 and _LETTER_APART.search(lines[at]):
        name, at, joined = lines[at] + name, at - 1, True  # the capital belongs to the next word
    if joined and at >= 0 and re.fullmatch(r"[A-Z][A-Z&.\-]{0,15}", lines[at]):
        name = f"{lines[at]} {name}"  # a first word in capitals only ("MGM")
    return name


def _clean_company(line: str) -> str:
    line = re.sub(r"^.*?(commission file number[^A-Za-z]*)", "", line, flags=re.IGNORECASE)
    return " ".join(line.split())[:80]


def iso_dates(text: str) -> list[str]:
    """Every "Month D, YYYY" date in ``text`` as an ISO date."""
    return [d for m in _DATE.finditer(text) if (d := _iso(m.group(0)))]


def _iso(text: str) -> str | None:
    m = _DATE.search(text)
    if not m or m.group(1).lower().rstrip(".") not in _MONTHS:
        return None
    try:
        return date(int(m.group(3)), _MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2))).isoformat()
    except ValueError:
        return None


def _quarter(text: str) -> int:
    m = _QUARTER_IN_NAME.search(text)
    if m:
        return int(m.group(1))
    m = _ORDINAL_QUARTER.search(text)
    return NUMBER_WORDS[m.group(1).lower()] if m else 0


def _form_from_name(stem: str) -> str:
    compact = stem.upper().replace("-", "").replace("_", " ")
    for form, key in (("10-K", "10K"), ("10-Q", "10Q"), ("8-K", "8K")):
        if key in compact.split() or key in compact:
            return form
    return "earnings release" if "EARNINGS" in compact else ""


def _looks_like_name(title: str) -> bool:
    """A PDF title that is a real name (not an accession number or a tool's default)."""
    return sum(ch.isalpha() for ch in title) >= 3 and not title.lower().startswith(
        ("microsoft word", "untitled")
    )
