"""What a question asks about: which company and period, which statement, whether it spans
several documents, and which documents of the knowledge base it names."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from documents.doc_profile import GENERIC_NAME_WORDS, DocProfile, iso_dates, name_words
from documents.page_context import statements_asked, statements_implied
from utils.number_words import NUMBER_WORDS

_WORD = re.compile(r"[a-z0-9][a-z0-9&'\-]*")
_YEAR = re.compile(r"(?<!\d)(?:FY\s?|fiscal\s+(?:year\s+)?)?((?:19|20)\d\d)(?!\d)", re.IGNORECASE)
_SHORT_FY = re.compile(r"\bFY\s?(\d\d)\b", re.IGNORECASE)
_QUARTER = re.compile(r"\bQ([1-4])\b|\b(first|second|third|fourth)[\s-]+quarter\b", re.IGNORECASE)
_LATEST = re.compile(r"\b(latest|most\s+recent|last|current)\b", re.IGNORECASE)
_SPANS = re.compile(
    r"\b(across|over\s+(?:the\s+)?(?:reported\s+|these\s+|historical\s+|past\s+)?(?:quarters|periods|years|time)|"
    r"these\s+(?:quarters|periods|reports|filings|quarterly\s+reports|10-qs)|historical(?:ly)?|trends?|"
    r"each\s+(?:quarter|period|year|filing|report)|10-qs|quarter[\s-]+over[\s-]+quarter|"
    r"evolv\w*|fluctuat\w*|compared?\s+(?:to|with)\s+(?:previous|prior|past)\s+(?:quarters|periods)|"
    r"relative\s+to\s+past\s+quarters|reported\s+(?:quarters|periods)|reporting\s+periods|all\s+(?:the\s+)?documents)\b",
    re.IGNORECASE,
)
#: Abbreviations in questions -> the words documents spell out (added to the search text).
ABBREVIATIONS = {
    r"\bpp\s*&\s*e\b|\bppn?e\b": "property, plant and equipment",
    r"\bcapex\b": "capital expenditures purchases of property and equipment",
    r"\bcapital expenditures?\b": "purchases of property, plant and equipment",
    r"\beps\b": "earnings per share",
    r"\bcogs\b": "cost of goods sold cost of sales",
    r"\bsg\s*&\s*a\b": "selling, general and administrative expenses",
    r"\br\s*&\s*d\b": "research and development",
    r"\bfcf\b": "free cash flow",
    r"\bd\s*&\s*a\b": "depreciation and amortization",
    r"\bopex\b": "operating expenses",
    r"\byoy\b": "year over year",
    r"\bdpo\b": "days payable outstanding accounts payable",
    r"\bdso\b": "days sales outstanding accounts receivable",
    r"\broa\b": "return on assets",
    r"\broe\b": "return on equity",
}
_ABBREVIATIONS = [(re.compile(p, re.IGNORECASE), words) for p, words in ABBREVIATIONS.items()]

STOPWORDS = frozenset(
    "a an and are as at be been by can could did do does for from had has have how i if in into is it its "
    "me my of on or our please should so such than that the their them then there these they this those "
    "to was we were what when where which who whom why will with would you your about any all also "
    "answer question give tell explain describe using use based shown provided primarily information "
    "details detail reported report reports relying line items statement statements".split()
)


@dataclass(frozen=True)
class QueryIntent:
    """The parts of a question retrieval uses."""

    text: str
    terms: frozenset[str]  # content words, lower case, stopwords removed
    years: frozenset[int]
    quarter: int  # 0 when none is named
    latest: bool  # "latest", "most recent"
    spans_documents: bool  # "across these quarters", "over time", "historical" ...
    statements: frozenset[str]  # named: "cash flow", "balance sheet", "income statement", "equity"
    implied_statements: frozenset[str]  # reporting a metric it asks about ("capex" -> "cash flow")
    search_text: str  # the question with its abbreviations spelled out, for search
    dates: frozenset[str] = frozenset()  # ISO dates it names ("April 30, 2023" -> "2023-04-30")


def analyse(question: str) -> QueryIntent:
    years = {int(y) for y in _YEAR.findall(question)}
    years |= {2000 + int(y) for y in _SHORT_FY.findall(question)}
    q = _QUARTER.search(question)
    quarter = int(q.group(1)) if q and q.group(1) else (NUMBER_WORDS[q.group(2).lower()] if q else 0)
    return QueryIntent(
        text=question,
        terms=frozenset(content_terms(question)),
        years=frozenset(years),
        quarter=quarter,
        latest=bool(_LATEST.search(question)),
        spans_documents=bool(_SPANS.search(question)),
        statements=frozenset(statements_asked(question)),
        implied_statements=frozenset(statements_implied(question)),
        search_text=expand_abbreviations(question),
        dates=frozenset(iso_dates(question)),
    )


_REQUEST = re.compile(
    r"\?|^\W*(what|who|whom|whose|when|where|why|how|which|is|are|was|were|do|does|did|can|could|"
    r"should|would|will|explain|describe|list|summari[sz]e|tell|give|show|compare|find|name)\b",
    re.IGNORECASE,
)


def asks_for_information(message: str) -> bool:
    """Whether a message asks something (a question, or "explain ...", "list ..."), not a greeting
    or a thank-you: only then is it worth saying that the documents held no answer."""
    return bool(_REQUEST.search(message))


def expand_abbreviations(question: str) -> str:
    """The question followed by the spelled-out form of each abbreviation in it."""
    extra = [words for pattern, words in _ABBREVIATIONS if pattern.search(question)]
    return f"{question} ({'; '.join(extra)})" if extra else question


def content_terms(text: str) -> set[str]:
    """Lower-case content words (plural "s" dropped) of at least 3 characters, stopwords removed."""
    out = set()
    for word in _WORD.findall(text.lower()):
        word = word.strip("'-")
        if len(word) >= 3 and word not in STOPWORDS:
            out.add(word[:-1] if word.endswith("s") and len(word) > 3 else word)
    return out


@dataclass(frozen=True)
class DocumentMatch:
    """How well one document fits what the question names (each part 0-1)."""

    company: float
    period: float

    @property
    def score(self) -> float:
        return self.company + 0.6 * self.period


def distinctive_names(
    profiles: dict[str, DocProfile], documents_with: Callable[[str], set[str]]
) -> dict[str, frozenset[str]]:
    """Each document's name words that few documents mention ("nvidia", not "general" or "health").

    ``documents_with(word)`` gives the documents whose text holds the word. A word counts when at
    most a quarter of the documents contain it; the run-together company name ("generalmills")
    always counts, since no text but a question spells it so.
    """
    limit = max(2, len(profiles) // 4)
    counts: dict[str, int] = {}
    out = {}
    for doc, profile in profiles.items():
        keep = set()
        for word in profile.names:
            if word not in counts:
                counts[word] = len(documents_with(word))
            if counts[word] <= limit:
                keep.add(word)
        company_words = sorted(name_words(profile.company), key=profile.company.lower().find)
        if len(company_words) > 1:
            keep.add("".join(company_words))
        out[doc] = frozenset(keep)
    return out


def match_documents(
    intent: QueryIntent, profiles: dict[str, DocProfile], names: dict[str, frozenset[str]]
) -> dict[str, DocumentMatch]:
    """For every document, whether the question names its company (one of ``names[doc]``) and period.

    "Latest" / "most recent" picks, among the documents of the named company, the one with the
    latest period end.
    """
    words = _question_words(intent.text)
    acronyms = _acronyms(intent.text)
    company = {
        doc: 1.0 if names.get(doc, frozenset()) & words or _acronym_fits(acronyms, p, names.get(doc)) else 0.0
        for doc, p in profiles.items()
    }
    named = [doc for doc, c in company.items() if c]
    period = {doc: _period_fit(intent, p) for doc, p in profiles.items()}
    if intent.latest and not intent.years and named:
        latest = max(named, key=lambda d: profiles[d].period_end or "")
        period[latest] = max(period[latest], 1.0)
    return {doc: DocumentMatch(company[doc], period[doc]) for doc in profiles}


def _period_fit(intent: QueryIntent, profile: DocProfile) -> float:
    if intent.dates and profile.period_end:  # "the quarter ended April 30, 2023": that filing
        return 1.0 if profile.period_end in intent.dates else 0.0
    if not intent.years and not intent.quarter:
        return 0.0
    year_ok = bool(intent.years & set(profile.years)) if intent.years else True
    if intent.quarter:
        quarter_ok = profile.quarter == intent.quarter
        return 1.0 if year_ok and quarter_ok else (0.3 if year_ok else 0.0)
    if len(intent.years) > 1 and profile.form == "10-K" and profile.years:
        return _share_reported(intent.years, max(profile.years))
    return 1.0 if year_ok else 0.0


def _share_reported(years: frozenset[int], filed: int) -> float:
    """The share of ``years`` an annual report of year ``filed`` has columns for: its own year and
    the two before it (income and cash-flow statements print three years), so "FY2018 - FY2020"
    is read from the 2020 report, which holds both, rather than from the 2018 one."""
    return sum(filed - 2 <= y <= filed for y in years) / len(years)


def _acronyms(question: str) -> set[str]:
    """Words written like acronyms or tickers ("JPM", "JnJ", "P&G"), lower case."""
    found = re.findall(r"(?<![\w&])[A-Za-z&]{2,8}(?![\w&])", question)
    return {w.lower() for w in found if sum(ch.isupper() for ch in w) >= 2}


def _acronym_fits(acronyms: set[str], profile: DocProfile, names: frozenset[str] | None) -> bool:
    """An acronym names a document when it begins one of its distinctive name words ("jpm" ->
    "jpmorgan") or its capitals are the initials of the company's words ("jnj", "p&g", "gm")."""
    if not acronyms:
        return False
    words = [w for w in re.findall(r"[a-z0-9]+", profile.company.lower()) if w not in GENERIC_NAME_WORDS]
    initials = "".join(w[0] for w in words) if len(words) >= 2 else ""
    for acronym in acronyms:
        capitals = "".join(ch for ch in acronym if ch.isalpha())
        if initials and (capitals == initials or capitals.replace("n", "") == initials):
            return True
        if len(capitals) >= 3 and any(n.startswith(capitals) and n != capitals for n in names or ()):
            return True
    return False


def _question_words(question: str) -> set[str]:
    """Name words of a question, plus each pair of neighbours run together ("best buy" -> "bestbuy")."""
    words = re.findall(r"[a-z0-9][a-z0-9&]*", question.lower().replace("'s", " "))
    joined = {a + b for a, b in zip(words, words[1:], strict=False)}
    joined |= {a + b + c for a, b, c in zip(words, words[1:], words[2:], strict=False)}
    return (name_words(question) | joined) - STOPWORDS
