"""The retrieval pipeline's stages on their own: profiles, page headings, question analysis,
document matching, coverage of spanned documents and the relevance gate."""

from __future__ import annotations

import pytest

from documents.doc_profile import profile_document
from documents.page_context import compact_heading, heading_names_statement, page_heading, statements_asked
from retrieval.coverage import select
from retrieval.query_analysis import analyse, distinctive_names, match_documents
from retrieval.relevance import RelevanceGate
from retrieval.rescoring import Scored
from retrieval.types import Row

COVER_10Q = """UNITED STATES
SECURITIES AND EXCHANGE COMMISSION
FORM 10-Q
QUARTERLY REPORT PURSUANT TO SECTION 13 OR 15(d)
For the quarterly period ended April 30, 2023
NVIDIA CORPORATION
(Exact name of registrant as specified in its charter)
"""
COVER_10K = """FORM 10-K
For the fiscal year ended December 31, 2018
Commission file number 1-3285
3M COMPANY
State of Incorporation: Delaware
"""
CASH_FLOW_PAGE = """Table of Contents
3M Company and Subsidiaries
Consolidated Statement of Cash Flows
Years ended December 31
(Millions) 2018 2017 2016
Purchases of property, plant and equipment (PP&E) (1,577) (1,373) (1,420)
"""


def test_profile_reads_company_form_and_period_from_the_cover():
    p = profile_document("2023 Q1 NVDA.pdf", "", [COVER_10Q])
    assert (p.company, p.form, p.period_end, p.quarter) == ("NVIDIA CORPORATION", "10-Q", "2023-04-30", 1)
    assert p.years == (2023,) and {"nvidia", "nvda"} <= set(p.names)
    assert p.label("2023 Q1 NVDA.pdf") == (
        "Nvidia Corporation, 10-Q, quarterly period ended April 30, 2023 (2023 Q1 NVDA)"
    )
    k = profile_document("3M_2018_10K.pdf", "", [COVER_10K])
    assert (k.company, k.form, k.years, k.names) == ("3M COMPANY", "10-K", (2018,), ("3m",))


def test_a_company_name_in_small_capitals_or_after_no_break_spaces_is_read_whole():
    cover = "FORM\n10-K\nNo.\n001-10362\nMGM\nR\nESORTS I\nNTERNATIONAL\n(Exact name of Registrant)"
    assert profile_document("MGM_2018_10K.pdf", "", [cover]).company == "MGM RESORTS INTERNATIONAL"
    spaced = "FORM 10-K\nMGM RESORTS INTERNATIONAL\n(Exact\xa0name\xa0of\xa0Registrant\xa0as specified)"
    assert profile_document("MGM_2020_10K.pdf", "", [spaced]).company == "MGM RESORTS INTERNATIONAL"
    # as a sentence names it: "MGM Resorts International's ...", not "Mgm Resorts International's"
    assert (
        profile_document("MGM_2020_10K.pdf", "", [spaced])
        .label("MGM_2020_10K.pdf")
        .startswith("MGM Resorts International, 10-K")
    )
    assert profile_document("x.pdf", "", ["FORM 10-K\nAT&T INC.\n(Exact name of registrant)"]).label("x.pdf")[
        :9
    ] == ("AT&T Inc.")


def test_a_document_without_a_cover_is_profiled_from_its_file_name():
    p = profile_document("notes.pdf", "", ["just some text about gardening"])
    assert p.company == "" and p.label("notes.pdf") == "notes" and p.names == ("notes",)


def test_page_heading_keeps_the_statement_title_and_column_years():
    heading = page_heading(CASH_FLOW_PAGE)
    assert heading == (
        "3M Company and Subsidiaries | Consolidated Statement of Cash Flows | Years ended December 31 | "
        "(Millions) 2018 2017 2016"
    )
    assert heading_names_statement(heading, "cash flow")
    assert not heading_names_statement(heading, "balance sheet")
    assert heading_names_statement("Consolidated Balance Shee t", "balance sheet")
    # A statement of comprehensive income reports no revenue: it is not the income statement.
    assert not heading_names_statement("Consolidated Statements of Comprehensive Income", "income statement")
    assert heading_names_statement("Statements of Operations and Comprehensive Income", "income statement")
    assert compact_heading(heading, 90) == (
        "Consolidated Statement of Cash Flows | Years ended December 31 | (Millions) 2018 2017 2016"
    )


def test_a_title_set_one_word_per_line_is_read_as_one_line():
    page = "\n".join(
        ["MGM", "RESORTS", "INTERNATIONAL", "AND", "SUBSIDIARIES", "CONSOLIDATED", "BALANCE", "SHEETS"]
        + [
            "(In thousands, except share data)",
            "December",
            "31,",
            "2018 2017",
            "ASSETS",
            "Inventories 110,831 102,292",
        ]
    )
    heading = page_heading(page)
    assert heading.startswith("MGM RESORTS INTERNATIONAL AND SUBSIDIARIES CONSOLIDATED BALANCE SHEETS | ")
    assert heading.endswith("| 2018 2017") and heading_names_statement(heading, "balance sheet")
    assert page_heading("Apple Inc.\nCONDENSED CONSOLIDATED BALANCE SHEETS\nASSETS:\nCash 1,234 5,678") == (
        "Apple Inc. | CONDENSED CONSOLIDATED BALANCE SHEETS | ASSETS:"
    )


def test_questions_name_statements_in_many_ways():
    assert statements_asked("relying on the details shown in the cash flow statement") == {"cash flow"}
    assert statements_asked("using the statement of income and the balance sheet") == {
        "income statement",
        "balance sheet",
    }
    assert statements_asked("What is 12 times 12?") == set()


def test_question_analysis():
    intent = analyse("What is the FY2018 capital expenditure for 3M in Q3?")
    assert intent.years == {2018} and intent.quarter == 3 and not intent.spans_documents
    assert "capital" in intent.terms and "the" not in intent.terms
    assert analyse("How has Intel's revenue changed across these quarters?").spans_documents
    assert analyse("What was the revenue in the second quarter of FY23?").quarter == 2
    assert analyse("In the latest 10-Q, ...").latest


def _profiles():
    covers = {
        "q1": ("2023 Q1 NVDA.pdf", COVER_10Q),
        "q2": ("2023 Q2 NVDA.pdf", COVER_10Q.replace("April 30", "July 30")),
        "mmm": ("3M_2018_10K.pdf", COVER_10K),
        "gm": ("GENERALMILLS_2020_10K.pdf", "GENERAL MILLS, INC.\n(Exact name of registrant)"),
    }
    return {doc: profile_document(name, "", [cover]) for doc, (name, cover) in covers.items()}


def test_documents_are_matched_by_distinctive_company_words_and_period():
    profiles = _profiles()
    mentions = {"general": {"q1", "q2", "mmm", "gm"}, "mills": {"gm"}}  # doc frequency of words
    names = distinctive_names(profiles, lambda w: mentions.get(w, set()))
    assert "general" not in names["gm"] and {"mills", "generalmills"} <= names["gm"]

    def matched(question):
        m = match_documents(analyse(question), profiles, names)
        return {doc: (x.company, x.period) for doc, x in m.items() if x.score}

    assert matched("What was NVIDIA's revenue in Q2 2023?") == {"q1": (1.0, 0.3), "q2": (1.0, 1.0)}
    assert matched("What is General Mills' FY2020 revenue?") == {"gm": (1.0, 1.0)}
    assert matched("general and administrative expenses") == {}
    assert matched("NVIDIA's most recent quarter") == {"q1": (1.0, 0.0), "q2": (1.0, 1.0)}
    assert matched("NVIDIA's revenue for the quarter ended July 30, 2023?") == {
        "q1": (1.0, 0.0),
        "q2": (1.0, 1.0),
    }
    assert matched("GM's revenue") == {"gm": (1.0, 0.0)}  # initials of General Mills
    assert matched("NVDA's revenue in Q2 2023") == {"q1": (1.0, 0.3), "q2": (1.0, 1.0)}  # a prefix
    assert matched("What did gm say?") == {}  # lower case: a word, not an acronym


def test_a_question_over_several_years_fits_the_annual_report_that_prints_them_all():
    covers = {"old": "MGMRESORTS_2018_10K.pdf", "new": "MGMRESORTS_2020_10K.pdf"}
    profiles = {
        doc: profile_document(name, "", ["FORM 10-K\nMGM RESORTS INTERNATIONAL"])
        for doc, name in covers.items()
    }
    intent = analyse("What is the FY2018 - FY2020 average capex for MGM Resorts?")
    periods = {doc: m.period for doc, m in match_documents(intent, profiles, {}).items()}
    assert periods == {"old": 0.5, "new": 1.0}
    one_year = match_documents(analyse("MGM Resorts' FY2018 capex?"), profiles, {})
    assert (one_year["old"].period, one_year["new"].period) == (1.0, 0.0)


def _row(doc, page, text="revenue"):
    return Row(doc, f"{doc}.pdf", page, page, text, "")


class _Corpus:
    def __init__(self, rows):
        self.rows = rows


def test_a_question_spanning_documents_gets_each_of_them():
    rows = [_row("a", 1), _row("a", 2), _row("a", 3), _row("b", 1), _row("c", 4)]
    scored = [Scored(i, 1.0 - i / 10, 0.5) for i in range(len(rows))]
    corpus = _Corpus(rows)
    intent = analyse("How has revenue changed across these quarters?")
    matches = match_documents(intent, {}, {})
    chosen = select(scored, corpus, intent, matches, k=2)
    assert [rows[s.row].doc_id for s in chosen] == ["a", "b", "c"]
    single = select(scored, corpus, analyse("What was revenue?"), matches, k=2)
    assert [s.row for s in single] == [0, 1]


def test_at_most_two_passages_per_page():
    rows = [_row("a", 1), _row("a", 1), _row("a", 1), _row("a", 2)]
    scored = [Scored(i, 1.0 - i / 10, 0.5) for i in range(len(rows))]
    chosen = select(scored, _Corpus(rows), analyse("revenue"), {}, k=3)
    assert [s.row for s in chosen] == [0, 1, 3]


def test_relevance_is_calibrated_and_the_gate_wants_a_shared_word():
    gate = RelevanceGate(min_relevance=0.25)
    assert gate.relevance(0.10) == 0.0 and gate.relevance(0.9) == 1.0
    assert gate.relevance(0.5) == pytest.approx(0.5)
    rows = [Row("a", "a.pdf", 1, 1, "Net revenue was 14,158 million.", "Statements of Income")]
    assert gate.accepts(analyse("What was net revenue?"), rows, [0.40], no_word_rare)
    assert not gate.accepts(analyse("Tell me a joke about cats."), rows, [0.40], no_word_rare)
    assert not gate.accepts(analyse("What was net revenue?"), rows, [0.12], no_word_rare)
    assert gate.accepts(analyse("How much money came in?"), rows, [0.70], no_word_rare)  # a paraphrase


def no_word_rare(term: str) -> bool:
    """A named fake of HybridIndex.distinctive: every word is in many passages."""
    return False


HANDBOOK_PASSAGE = Row(
    "h",
    "handbook.docx",
    1,
    3,
    "Vacation\nFull-time employees receive 27 days of paid vacation per calendar year.\n"
    "Remote work\nStaff may work remotely up to 3 days per week.\n"
    "Benefit | Amount\nBicycle scheme | £1,200 once every 4 years",
    "",
)


def test_a_passage_naming_the_question_in_rare_words_is_accepted_below_the_floor():
    gate = RelevanceGate(min_relevance=0.25)
    rare = {"bicycle", "scheme"}.__contains__  # a named fake: these two words are in few passages
    question = analyse("What is the bicycle scheme worth?")
    assert not gate.accepts(question, [HANDBOOK_PASSAGE], [0.29], no_word_rare)
    assert gate.accepts(question, [HANDBOOK_PASSAGE], [0.29], rare)
    assert not gate.accepts(question, [HANDBOOK_PASSAGE], [0.15], rare)  # nothing like the question
    puppy = analyse("What should I name my new puppy?")
    named = Row("n", "n.md", 1, 1, "Pick a name for the new repository.", "")
    assert not gate.accepts(puppy, [named], [0.25], {"repository"}.__contains__)  # "name", "new": common


def test_a_passage_neither_relevant_nor_sharing_two_words_is_not_kept():
    gate = RelevanceGate(min_relevance=0.25)
    question = analyse("How many vacation days do employees get?")
    recipe = Row("r", "recipe.html", 1, 1, "Serves 6. Many thanks to Grandma.", "")
    assert gate.keeps(question, HANDBOOK_PASSAGE, 0.25)  # vacation, day, employee
    assert not gate.keeps(question, HANDBOOK_PASSAGE, 0.10)  # nothing like the question
    assert not gate.keeps(question, recipe, 0.30)  # only "many"
    assert gate.keeps(question, recipe, 0.45)  # relevant, whatever its words


def test_page_heading_keeps_column_dates_set_one_piece_per_line_and_the_scale():
    # Adobe's 10-K sets each column's date over two lines, the year alone on the second.
    page = "\n".join(
        ["59", "ADOBE SYSTEMS INCORPORATED", "CONSOLIDATED STATEMENTS OF INCOME"]
        + ["(In thousands, except per share data)", "Years Ended", "November 27,", "2015", "November 28,"]
        + ["2014", "Revenue:", "Subscription ........ $ 3,223,904 $ 2,076,584"]
    )
    assert page_heading(page) == (
        "ADOBE SYSTEMS INCORPORATED | CONSOLIDATED STATEMENTS OF INCOME | (In thousands, except per share "
        "data) | Years Ended November 27, 2015 November 28, 2014"
    )


def test_page_heading_finds_the_scale_printed_under_the_periods():
    page = "\n".join(
        ["Table of Contents", "Consolidated Statement of Cash Flows", "PepsiCo, Inc. and Subsidiaries"]
        + ["Fiscal years ended December 25, 2021, December 26, 2020 and December 28, 2019", "(in millions)"]
        + ["2021", "2020", "2019", "Operating Activities", "Net income $ 7,679 $ 7,175 $ 7,353"]
    )
    heading = page_heading(page)
    assert "(in millions)" in heading and "December 25, 2021" in heading
    assert heading.startswith("Consolidated Statement of Cash Flows | PepsiCo, Inc. and Subsidiaries")
    # A sentence with two dates is no row of column dates.
    prose = "Title\nAs of November 27, 2015 and November 28, 2014, the shares awarded under our programs were"
    assert "awarded" not in page_heading(prose)


def test_a_long_page_heading_keeps_the_statement_title_and_says_the_scale_once():
    page = "\n".join(
        ["Table of Contents", "Consolidated Balance Sheets Corning Incorporated and Subsidiary Companies"]
        + ["December 31,", "(in millions, except share and per share amounts) 2022 2021", "Assets"]
    )
    assert page_heading(page) == (
        "Consolidated Balance Sheets Corning Incorporated and Subsidiary Companies | December 31, | "
        "(in millions, except share and per share amounts) 2022 2021"
    )
