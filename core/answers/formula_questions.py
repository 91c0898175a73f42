"""Which formula a question asks for (core.answers.formulas), and for which years: a ratio the
question states itself ("defined as: cash from operations / total current liabilities"), a margin
or share of revenue of any known line ("D&A % margin", "capex as a % of revenue"), a named ratio
("inventory turnover"), a growth rate or CAGR, a money figure such as EBITDA, and each of them
averaged over several years ("FY2018 - FY2020 3 year average")."""

from __future__ import annotations

import re
from dataclasses import replace

from core.answers.formulas import COMPOSITES, NAMED, Formula, growth, ratio, share_of_revenue
from core.answers.line_items import CAPEX, GROSS_PROFIT, NET_INCOME, OPERATING_INCOME, Line, line_named
from core.answers.statement_lines import YEAR

#: Questions about a figure's causes or meaning, not its value ("What drove the margin change?").
#: Words asking what drove a figure, not for the figure: no calculation ("what drove the margin
#: change?"); also words of ``_MORE_THAN_THE_FIGURE``, so the two lists cannot drift apart.
_WHAT_DROVE = r"drove|drivers?|driv\w*|caused|factors?|reasons?|led\s+to"
_NOT_A_CALCULATION = re.compile(rf"^\W*(why|explain|describe)\b|\b({_WHAT_DROVE})\b", re.I)
#: A ratio the question states itself: "compute net income divided by total assets", "... is
#: defined as: total current assets / total current liabilities".
_STATED = (
    re.compile(
        r"\b(?:compute|calculate)\s+(?:the\s+)?([^?.;:]+?)\s+(?:divided\s+by|over|/)\s+([^?.;:]+)", re.I
    ),
    re.compile(
        r"\bdefined?\b[^.?;]{0,60}?\bas:?\s+([^?.;:/]+?)\s*(?:divided\s+by|/)\s*([^?;:]+?)(?:\.\s|\.?$|\?)",
        re.I,
    ),
)
_ARITHMETIC = re.compile(r"[*+×]|\s-\s|\bchange\s+in\b|\bless\b|\bplus\b|\bminus\b", re.I)
_BETWEEN = re.compile(r"\bbetween\s+(fy\s?)?\d{4}\s+and\s+(fy\s?)?\d{4}", re.I)
_MARGIN = re.compile(r"\bmargins?\b", re.I)
_SHARE = re.compile(
    r"\s(?:as\s+a\s+)?(?:%|percent(?:age)?|share|proportion)\s+of\s+(?:total\s+)?(?:net\s+)?(?:revenues?|sales)\b"
    r"|\s*(?:/|to)\s*(?:total\s+)?(?:net\s+)?(?:revenues?|sales)\b",
    re.I,
)
_GROWTH = re.compile(
    r"(year[-\s]+over[-\s]+year|yoy|annual)\s+(change|growth|increase|decrease)|growth\s+rate|"
    r"(percent(age)?|%)\s+(change|growth|increase|decrease)|\b(change|growth)\s+in\b",
    re.I,
)
_CAGR = re.compile(r"\bcagr\b|\bcompound(ed)?\s+annual\s+growth", re.I)
_AVERAGE = re.compile(r"\baverages?\b|\bavg\b", re.I)
_OVER_YEARS = re.compile(
    r"\b(\d+|two|three|four|five)[-\s]years?\s+average\b|\baverage\b[^?.]{0,80}?\b(from|over)\s+(fy\s?)?\d{4}\s+"
    r"(to|through|-)\s+(fy\s?)?\d{4}",
    re.I,
)
_CLAUSE = re.compile(r"[,?;:]|\bwhat\s+(?:is|was|were|are)\b|\bhow\s+much\b", re.I)
_MARGIN_NAMES = {
    GROSS_PROFIT.name: "Gross margin",
    OPERATING_INCOME.name: "Operating margin",
    NET_INCOME.name: "Net profit margin",
}
_SHORT_NAMES = {CAPEX.name: "Capital expenditure"}


def formula_for(question: str) -> Formula | None:
    """The formula a question asks for, with its year(s), or None (not a calculation, or one not
    defined here)."""
    if _NOT_A_CALCULATION.search(question):
        return None
    years = sorted(set(YEAR.findall(question)))
    found = _stated(question) or _margin(question) or _named(question)
    found = found or _growth(question, years) or _composite(question)
    if found is None:
        return None
    if found.unsupported:
        return found
    over = _over_years(question, years)
    if over:
        return replace(found, years=over)
    if _AVERAGE.search(question) and not any(line.average for line in found.operands):
        return replace(found, unsupported="an average of this kind is not computed")
    return replace(found, year=years[-1]) if years else found


def _over_years(question: str, years: list[str]) -> tuple[str, ...]:
    """The years a "3 year average" spans: every year from the first named to the last."""
    if not _OVER_YEARS.search(question) or len(years) < 2:
        return ()
    return tuple(str(y) for y in range(int(years[0]), int(years[-1]) + 1))


def _stated(question: str) -> Formula | None:
    for pattern in _STATED:
        stated = pattern.search(question)
        if stated is None:
            continue
        top, bottom = (_bare(stated.group(i)) for i in (1, 2))
        if _ARITHMETIC.search(top) or _ARITHMETIC.search(bottom) or len(bottom.split()) > 8 or not top:
            return None
        a, b = _operand(top), _operand(bottom)
        named = _named(question)
        name = _asked_name(question) or (named.name if named else "")
        formula = ratio(name or f"{a.name} / {b.name}", a, b)
        return replace(formula, unit=named.unit) if named else formula
    return None


def _bare(words: str) -> str:
    """An operand's words without parentheses, years and "FY"."""
    words = re.sub(r"[()]", " ", words)
    words = re.sub(r"\b(the|for|in|fy\s?\d{4}|\d{4})\b|\bfy(?=\d)", " ", words, flags=re.I)
    return " ".join(words.split()).strip(" ,.")


def _operand(words: str) -> Line:
    averaged = bool(_AVERAGE.search(words))
    words = " ".join(_AVERAGE.sub(" ", _BETWEEN.sub(" ", words)).split())
    words = re.sub(r"\b(of|between|and)$", "", words, flags=re.I).strip()
    line = line_named(words)
    if line is None:
        pattern = re.compile(rf"^(total\s+)?{re.escape(words)}", re.I)
        line = Line(words[:1].upper() + words[1:], pattern, pattern)
    return line.averaged() if averaged else line


def _named(question: str) -> Formula | None:
    """The named formula the question mentions first (a cash conversion cycle's question goes on
    to define days payable outstanding)."""
    mentioned = [(m.start(), i) for i, (asked, _) in enumerate(NAMED) if (m := asked.search(question))]
    return NAMED[min(mentioned)[1]][1] if mentioned else None


def _composite(question: str) -> Formula | None:
    return next((formula for asked, formula in COMPOSITES if asked.search(question)), None)


def _clause_before(question: str, end: int) -> str:
    """The words before ``end`` back to the start of their clause ("what is the FY2015 D&A")."""
    return _CLAUSE.split(question[:end])[-1]


def _margin(question: str) -> Formula | None:
    """A margin ("EBITDA % margin", "net profit margin") or a share of revenue ("capex as a % of
    revenue") of a money figure or a statement line."""
    for pattern, with_word in ((_MARGIN, True), (_SHARE, False)):
        for match in pattern.finditer(question):
            before = _clause_before(question, match.start())
            composite = next((f for asked, f in COMPOSITES if asked.search(before)), None)
            if composite is not None:
                return share_of_revenue(composite)
            line = line_named(f"{before} margin" if with_word else before)
            if line is not None and line.name != "Revenue":
                if with_word:
                    return share_of_revenue(line, _MARGIN_NAMES.get(line.name, f"{line.name} margin"))
                short = _SHORT_NAMES.get(line.name, line.name)
                return share_of_revenue(line, f"{short} as a percentage of revenue")
    return None


def _growth(question: str, years: list[str]) -> Formula | None:
    """The change of one statement line between two periods ("year-over-year change in revenue
    from FY2016 to FY2017"), or its compound annual rate over several ("2 year revenue CAGR")."""
    asked = _CAGR.search(question) or _GROWTH.search(question)
    if asked is None:
        return None
    first = question.split("?")[0]
    line = line_named(first[asked.end() :]) or line_named(_clause_before(question, asked.start()))
    if line is None:
        return None
    span = int(years[-1]) - int(years[0]) if len(years) >= 2 else 1
    return growth(line, span, compound=bool(_CAGR.search(question)))


_NAME_WORD = re.compile(r"\b(ratio|margin|rate|turnover|coverage)\b", re.I)
_NOT_NAME = frozenset("what is the a an of for in its their fy".split())


def _asked_name(question: str) -> str:
    """The name the question gives its figure ("... FY2020 working capital ratio?" -> "Working
    capital ratio"): up to three plain words before ratio, margin, rate ..."""
    match = _NAME_WORD.search(question)
    if not match:
        return ""
    words = []
    for word in reversed(question[: match.start()].split()[-3:]):
        if not word.isalpha() or word.lower() in _NOT_NAME:
            break
        words.insert(0, word.lower())
    name = " ".join([*words, match.group(1).lower()])
    return name[0].upper() + name[1:] if words else ""


#: Words of a question that wants more than the figure: a judgement, a reason, a comparison.
_MORE_THAN_THE_FIGURE = re.compile(
    r"\b(why|explain|healthy|good|bad|consistent|improv\w*|declin\w*|compare\w*|useful|should|trend\w*|"
    rf"{_WHAT_DROVE}|describe|indicat\w*|mean|suggest\w*|is it|are they|high|low|strong|weak|enough|"
    r"capital[- ]intensive|yes|no)\b",
    re.IGNORECASE,
)


def asks_only_for_the_figure(question: str) -> bool:
    """Whether ``question`` asks for a computed figure and nothing else ("What is the FY2018 fixed
    asset turnover?"), not what it means ("Is the quick ratio healthy?")."""
    return not _MORE_THAN_THE_FIGURE.search(question)
