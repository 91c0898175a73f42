"""Figures computed in code from cited statement rows (core/answers/computed.py, formulas.py):
the formula, each operand with its period and source, the result; and the refusals."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config.settings import Settings
from core.answers.computed import compute, with_operands
from core.answers.formula_questions import formula_for
from core.answers.statement_lines import parse_line
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Audio, Check, Computed, Source
from retrieval.knowledge_base import Hit
from storage.conversations import ConversationStore
from tests.fakes import FakeKnowledgeBase, FakeLLM, FakeTTS

BALANCE = "Consolidated Balance Sheets | (In Millions) | May 31, 2020 May 26, 2019"
BALANCE_ROWS = (
    "Total current assets 5,121.3 4,186.9\nInventories 1,426.3 1,559.3\n"
    "Total current liabilities 7,491.5 7,087.1"
)
CASH = "Consolidated Statements of Cash Flows | Fiscal Year | In Millions 2020 2019"
CASH_ROWS = (
    "Net cash provided by operating activities 3,676.2 2,807.0\n"
    "Purchases of land, buildings, and equipment (460.8) (537.6)"
)


OPENS = "General Mills' current ratio was 0.68 at May 31, 2020 [1]."  # whose, what, unit, when, where


def source(number, text, context, doc="gis"):
    return Source(number, "GIS_2020_10K.pdf", 50, 50, 0.9, text, context=context, doc_id=doc)


def test_a_ratio_the_question_defines_is_computed_from_its_rows_with_periods_and_sources():
    question = (
        "What is General Mills's FY2020 working capital ratio? Define working capital ratio as "
        "total current assets / total current liabilities."
    )
    computation, extra = compute(question, [source(1, BALANCE_ROWS, BALANCE)])
    assert extra == [] and computation is not None and not computation.refused
    assert computation.name == "Working capital ratio" and computation.shown == "0.68"
    assert [(o.label, o.printed, o.period, o.source) for o in computation.operands] == [
        ("Total current assets", "5,121.3", "May 31, 2020", 1),
        ("Total current liabilities", "7,491.5", "May 31, 2020", 1),
    ]
    assert computation.work().endswith("= 5,121.3 / 7,491.5 = 0.68")
    assert (
        computation.sentence() == "The working capital ratio was 0.68 at May 31, 2020 [1]."
    )  # no company in its label


def test_free_cash_flow_and_a_quick_ratio_from_the_common_definitions():
    fcf, _ = compute("What is General Mills's FY2020 free cash flow?", [source(1, CASH_ROWS, CASH)])
    assert fcf.shown == "$3,215 million" and fcf.operands[1].printed == "(460.8)"
    assert "3,676.2 - 460.8" in fcf.work()
    quick, _ = compute("What was the FY2019 quick ratio?", [source(1, BALANCE_ROWS, BALANCE)])
    assert quick.shown == f"{(4186.9 - 1559.3) / 7087.1:.2f}"  # the column of May 26, 2019


def test_a_missing_operand_is_searched_for_in_the_same_document_then_named_if_still_missing():
    searched = []

    def search(text):
        searched.append(text)
        return [source(1, BALANCE_ROWS, BALANCE), source(2, BALANCE_ROWS, BALANCE, doc="other")]

    cash_only = [source(1, CASH_ROWS, CASH)]
    ratio, extra = compute("What is the FY2020 operating cash flow ratio?", cash_only, search)
    assert ratio.shown == f"{3676.2 / 7491.5:.2f}" and [s.number for s in extra] == [
        2
    ]  # not the other filing's
    assert ratio.operands[1].source == 2 and searched
    missing, _ = compute("What is the FY2020 operating cash flow ratio?", cash_only)
    assert missing.refused == "no line for total current liabilities was found"
    assert missing.sentence().startswith(
        "The operating cash flow ratio cannot be computed from your documents"
    )


def test_an_operand_in_another_passage_of_a_page_found_is_read_there_before_any_search():
    """A statement page is several passages; the one with total current liabilities was not
    among the sources, but its page was."""
    top, bottom = "Total current assets 5,121.3 4,186.9", "Total current liabilities 7,491.5 7,087.1"
    asked_for = []

    class FakeSamePage:
        """A named fake of core.answers.passages.PageNeighbours: the page's passages, as stored."""

        def passages(self, of):
            asked_for.append(("page", of.page_start))
            return [source(1, top, BALANCE), source(2, bottom, BALANCE)]

        def trimmed(self, passage, wanted):
            asked_for.append(("trimmed", passage.text, wanted))
            return passage

    def search(text):
        raise AssertionError("searched although the page had the line")

    ratio, extra = compute(
        "What is the FY2020 working capital ratio?", [source(1, top, BALANCE)], search, FakeSamePage()
    )
    assert ratio.shown == f"{5121.3 / 7491.5:.2f}" and [(s.number, s.text) for s in extra] == [(2, bottom)]
    # only the passage that holds the line is trimmed (for the prompt), for the line's name
    assert ratio.operands[1].source == 2
    assert asked_for == [("page", 50), ("trimmed", bottom, "Total current liabilities")]


def test_no_computation_for_a_period_the_page_does_not_have_a_zero_denominator_or_mixed_units():
    balance = [source(1, BALANCE_ROWS, BALANCE)]
    assert "no column for 2018" in compute("What is the FY2018 current ratio?", balance)[0].refused
    zero = [source(1, "Total current assets 5,121.3\nTotal current liabilities 0", BALANCE)]
    assert "zero or negative" in compute("What is the current ratio?", zero)[0].refused
    mixed = [
        source(1, "Total current assets 5,121.3 4,186.9", "Balance Sheets | May 31, 2020 May 26, 2019"),
        source(2, "Total current liabilities 7,491.5 7,087.1", BALANCE),
    ]
    assert (
        compute("What is the FY2020 current ratio?", mixed)[0].refused == "the lines are in different units"
    )
    thousands = [
        source(
            1,
            "Total current assets 5,121,300 4,186,900",
            "Balance | (In thousands) | May 31, 2020 May 26, 2019",
        ),
        source(2, "Total current liabilities 7,491.5 7,087.1", BALANCE),
    ]
    assert compute("What is the FY2020 current ratio?", thousands)[0].shown == "0.68"  # scales made alike


@pytest.mark.parametrize(
    "question",
    [
        "What drove gross margin change as of FY2022 for JnJ?",
        "What are the significant factors that have led to changes in Intel's gross margin?",
        "What was Intel's revenue?",
    ],
)
def test_questions_that_only_sound_like_a_calculation_get_none(question):
    assert formula_for(question) is None


def test_a_document_that_is_no_statement_gets_a_clear_sentence_not_a_figure():
    handbook = [
        source(1, "Employees get 25 vacation days a year.\nThe bicycle scheme is worth 500 euros.", "")
    ]
    computation, _ = compute("What is the company's gross margin?", handbook)
    assert computation.value is None and computation.refused == "no line for gross profit was found"


def test_the_answer_opens_with_the_computed_figure_and_the_check_counts_it_as_supported(tmp_path):
    hit = Hit(
        "GIS_2020_10K.pdf",
        50,
        50,
        0.9,
        0.8,
        BALANCE_ROWS,
        "General Mills, Inc., 10-K, fiscal year 2020",
        BALANCE,
        doc_id="gis",
    )
    embedded = FakeLLM(
        "embedded", ["Current assets did not cover current liabilities."], continues_answers=True
    )
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    store = ConversationStore(tmp_path / "c.db")
    assistant = LocalAIAssistant(
        settings, store, {"embedded": embedded}, FakeKnowledgeBase([hit], empty=False)
    )
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "What is General Mills's FY2020 current ratio?", AskOptions()))
    (computed,) = next(e for e in events if isinstance(e, Computed)).items
    assert computed["shown"] == "0.68" and computed["operands"][0]["value"] == "5,121.3"
    check = next(e for e in events if isinstance(e, Check))
    assert check.answer == OPENS and check.unsupported_figures == []
    stored = assistant.chats.messages(cid)[-1].meta
    assert stored["computed"][0]["name"] == "Current ratio"
    # Asked only for the figure: its sentence is the whole answer, and no model is asked for words
    # it would not keep (nor made to read the prompt before the sentence can be shown).
    assert embedded.calls == []
    assert (stored["stats"]["backend"], stored["stats"]["completion_tokens"]) == ("computed in code", 0)
    judged = list(
        assistant.answers.ask(cid, "Is General Mills's FY2020 current ratio healthy?", AskOptions())
    )
    assert embedded.calls[0][0][-1] == {"role": "assistant", "content": OPENS + " "}  # it goes on
    kept = next(e for e in judged if isinstance(e, Check)).answer
    assert kept.startswith(OPENS) and "did not cover" in kept


@pytest.mark.parametrize(
    ("question", "only"),
    [
        ("What is the FY2018 fixed asset turnover ratio for CVS Health?", True),
        ("What is Amazon's FY2017 days payable outstanding (DPO)?", True),
        ("Does Verizon have a reasonably healthy liquidity profile based on its quick ratio?", False),
        ("Does Adobe have an improving operating margin profile as of FY2022?", False),
        ("How did JnJ's US sales growth compare to international sales growth in FY2022?", False),
    ],
)
def test_a_question_that_asks_only_for_the_figure_is_told_from_one_asking_what_it_means(question, only):
    from core.answers.formula_questions import asks_only_for_the_figure

    assert asks_only_for_the_figure(question) is only


def test_a_year_over_year_change_takes_one_row_in_the_two_years_asked():
    income = [
        source(1, "Total net sales 177,866 135,987 107,006", "Statements of Operations | 2017 2016 2015")
    ]
    growth, _ = compute("What is Amazon's year-over-year change in revenue from FY2016 to FY2017?", income)
    assert growth.shown == "30.8%" and [o.printed for o in growth.operands] == ["177,866", "135,987"]
    assert growth.work().endswith("= (177,866 - 135,987) / 135,987 = 30.8%")
    assert growth.sentence() == "The revenue growth was 30.8% from 2016 to 2017 [1]."
    assert (
        "no column for 2014"
        in compute("What was the revenue growth rate from FY2014 to FY2015?", income)[0].refused
    )


INCOME = "Consolidated Statements of Operations | (In millions) | Fiscal Years Ended 2020 2019 2018"
INCOME_ROWS = (
    "Total revenues 12,000 11,000 10,000\nCost of sales 7,000 6,600 6,100\n"
    "Operating income 1,500 1,320 1,150\nNet income 1,000 880 700"
)
FLOWS = "Consolidated Statements of Cash Flows | (In millions) | 2020 2019 2018"
FLOWS_ROWS = (
    "Depreciation and amortization 400 380 350\nNet cash provided by operating activities 2,100 1,900 1,700\n"
    "Capital expenditures (960) (770) (600)\nDividends paid (300) (280) (250)"
)
SHEET = "Consolidated Balance Sheets | (In millions) | December 31, 2020 December 31, 2019"
SHEET_ROWS = (
    "Inventories 1,300 1,100\nAccounts receivable, net 900 700\nTotal current assets 4,000 3,500\n"
    "Property, plant and equipment, net 5,200 4,800\nTotal assets 21,000 19,000\n"
    "Accounts payable 800 600\nTotal current liabilities 3,000 2,900"
)
FILING = [source(1, INCOME_ROWS, INCOME), source(2, FLOWS_ROWS, FLOWS), source(3, SHEET_ROWS, SHEET)]


def test_a_three_year_average_computes_the_formula_in_each_year_and_shows_each_years_work():
    question = "What is the FY2018 - FY2020 3 year average of capex as a % of revenue?"
    computation, _ = compute(question, FILING)
    each = [960 / 12000, 770 / 11000, 600 / 10000]
    assert computation.name == "3-year average capital expenditure as a percentage of revenue"
    assert computation.shown == f"{sum(each) / 3 * 100:.1f}%"
    assert [p.shown for p in computation.parts] == [f"{v * 100:.1f}%" for v in (each[2], each[1], each[0])]
    work = computation.work().splitlines()
    assert len(work) == 4 and "600 / 10,000" in work[0] and work[-1].endswith(f"/ 3 = {computation.shown}")
    assert computation.sentence() == (
        f"The 3-year average capital expenditure as a percentage of revenue was {computation.shown} "
        "over fiscal years 2018 to 2020 [2][1]."
    )
    margin, _ = compute("What is the three year average net profit margin from FY2018 to FY2020?", FILING)
    assert margin.shown == f"{(1000 / 12000 + 880 / 11000 + 700 / 10000) / 3 * 100:.1f}%"


def test_days_payable_is_for_its_year_not_a_change_between_two():
    question = "What is the FY2020 days payable outstanding (DPO)?"
    dpo, _ = compute(question, FILING)
    assert dpo.shown.endswith(" days") and "Inventories (year before)" in dpo.formula
    assert dpo.period == "in the fiscal year ended 2020"  # not "from 2019 to 2020"


def test_a_balance_sheet_line_is_averaged_over_the_year_and_the_year_before():
    question = (
        "What is the FY2020 return on assets (ROA)? ROA is defined as: FY2020 net income / "
        "(average total assets between FY2019 and FY2020). Round your answer to two decimal places."
    )
    roa, _ = compute(question, FILING)
    assert roa.name == "Return on assets" and roa.shown == f"{1000 / 20000:.2f}"
    assert roa.operands[1].printed == "(21,000 + 19,000) / 2"
    assert roa.operands[1].period == ("average of December 31, 2020 and December 31, 2019")
    turnover, _ = compute("What is the FY2020 inventory turnover ratio?", FILING)
    assert turnover.shown == f"{7000 / 1200:.2f}" and "(1,300 + 1,100) / 2" in turnover.work()
    fixed, _ = compute("What is the FY2020 fixed asset turnover ratio?", FILING)
    assert fixed.shown == f"{12000 / 5000:.2f}"
    missing, _ = compute("What is the FY2019 inventory turnover ratio?", FILING)
    assert missing.refused == "the page with inventories has no column for 2018"


def test_days_payable_outstanding_and_the_cash_conversion_cycle_use_purchases():
    dpo, _ = compute("What is FY2020 days payable outstanding (DPO)?", FILING)
    purchases = 7000 + 1300 - 1100
    assert dpo.shown == f"{365 * 700 / purchases:.2f} days"
    ccc, _ = compute("What is the FY2020 cash conversion cycle?", FILING)
    expected = 365 * 1200 / 7000 + 365 * 800 / 12000 - 365 * 700 / purchases
    assert ccc.value == pytest.approx(expected)


def test_ebitda_its_margin_a_line_margin_cagr_retention_and_working_capital():
    ebitda, _ = compute("What is the FY2019 EBITDA (operating income + D&A) in USD millions?", FILING)
    assert ebitda.shown == "$1,700 million" and ebitda.operands[1].source == 2
    margin, _ = compute("What is the FY2020 unadjusted EBITDA % margin?", FILING)
    assert margin.name == "EBITDA margin" and margin.shown == f"{1900 / 12000 * 100:.1f}%"
    dna, _ = compute("What is the FY2018 depreciation and amortization (D&A) % margin?", FILING)
    assert dna.shown == "3.5%"
    cagr, _ = compute("What is the 2 year total revenue CAGR from FY2018 to FY2020?", FILING)
    assert cagr.shown == f"{((12000 / 10000) ** 0.5 - 1) * 100:.1f}%" and "^ (1/2)" in cagr.formula
    change, _ = compute("What is the year-over-year change in operating income from 2019 to 2020?", FILING)
    assert change.shown == f"{(1500 - 1320) / 1320 * 100:.1f}%"
    retention, _ = compute("What is the FY2020 retention ratio?", FILING)
    assert retention.shown == f"{(1000 - 300) / 1000:.2f}"
    capital, _ = compute("What is the FY2020 net working capital?", FILING)
    assert capital.shown == "$1,000 million"


def test_each_source_knows_the_rows_a_computation_took_from_it_to_mark_them_on_its_page():
    turnover, _ = compute("What is the FY2020 inventory turnover ratio?", FILING)
    marked = with_operands(FILING, turnover)
    assert [s.operand_lines for s in marked] == [
        ("Cost of sales 7,000",),
        (),
        ("Inventories (1,300 + 1,100) / 2",),
    ]
    assert with_operands(FILING, None) == FILING


def test_columns_without_periods_are_read_from_the_filings_own_year_and_entity_columns_skipped():
    label = "Best Buy Co., Inc., 10-K, fiscal year ended January 28, 2017 (BESTBUY_2017_10K)"
    rows = "Revenue 39,403 39,528 40,339\nNet earnings attributable to noncontrolling interests 5 4 3\n"
    rows += "Net earnings attributable to Best Buy Co., Inc. shareholders 1,228 897 1,233"
    plain = Source(
        1, "BESTBUY_2017_10K.pdf", 53, 53, 0.9, rows, label=label, context="Statements of Earnings"
    )
    margin, _ = compute("What is the FY2015 - FY2017 3 year average net profit margin?", [plain])
    assert margin.shown == f"{(1233 / 40339 + 897 / 39528 + 1228 / 39403) / 3 * 100:.1f}%"
    refused = compute("What is the FY2018 net profit margin?", [plain])[0].refused
    assert refused.endswith("does not say which year each column is")
    entities = (
        "Parent Guarantor Eliminations Consolidated\nNet sales — 17,317 (530) 26,268\nNet income — 4 (1) 3"
    )
    consolidating = replace(plain, text=entities, context="Condensed Consolidating Statements of Income")
    assert compute("What is the FY2017 net profit margin?", [consolidating])[0].refused.startswith("no line")


def test_a_dash_is_a_nil_column_not_a_missing_one():
    row = parse_line("Deferred income taxes — 95,279")
    assert row is not None and row.values == ("—", "95,279")
    capex = "Purchases of property and equipment — (120)\nRevenue 1,000 900"
    computed, _ = compute("What is the FY2019 capex as a % of revenue?", [source(1, capex, SHEET)])
    assert computed.shown == f"{120 / 900 * 100:.1f}%"  # the second column, not the only value
    nil, _ = compute("What is the FY2020 capex as a % of revenue?", [source(1, capex, SHEET)])
    assert nil.shown == "0.0%"


def test_an_average_of_another_kind_is_said_not_to_be_computed():
    computation, _ = compute("What was the average operating margin of the segments in FY2020?", FILING)
    assert computation.value is None and "average" in computation.refused


def test_a_spoken_reply_says_the_result_and_the_formulas_name_not_the_sums(tmp_path):
    hit = Hit(
        "GIS_2020_10K.pdf", 50, 50, 0.9, 0.8, BALANCE_ROWS, "General Mills, Inc., 10-K", BALANCE, doc_id="gis"
    )
    embedded = FakeLLM("embedded", ["That is below one."], continues_answers=True)
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    store = ConversationStore(tmp_path / "c.db")
    assistant = LocalAIAssistant(
        settings, store, {"embedded": embedded}, FakeKnowledgeBase([hit], empty=False)
    )
    tts = FakeTTS()
    assistant.voice.tts = lambda options=None: tts  # the named fake instead of a voice
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "What is the FY2020 current ratio?", AskOptions(speak=True)))
    spoken = [e.text for e in events if isinstance(e, Audio)]
    assert spoken[0] == "General Mills' current ratio was 0.68 at May 31, 2020."  # whose, what, when
    assert "5,121.3" not in " ".join(spoken)


def test_a_figure_that_cannot_be_computed_opens_with_why_and_the_model_may_add_a_stated_one(tmp_path):
    hit = Hit(
        "GIS_2020_10K.pdf", 50, 50, 0.9, 0.8, CASH_ROWS, "General Mills, Inc., 10-K", CASH, doc_id="gis"
    )
    embedded = FakeLLM(
        "embedded", ["The filing states an effective tax rate of 20.6% [1]."], continues_answers=True
    )
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    store = ConversationStore(tmp_path / "c.db")
    assistant = LocalAIAssistant(
        settings, store, {"embedded": embedded}, FakeKnowledgeBase([hit], empty=False)
    )
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "What was the FY2020 effective tax rate?", AskOptions()))
    (computed,) = next(e for e in events if isinstance(e, Computed)).items
    assert computed["refused"] == "no line for income tax expense was found"
    opening = embedded.calls[0][0][-1]
    assert opening["role"] == "assistant" and opening["content"].startswith(
        "The effective tax rate cannot be computed from your documents: no line for income tax expense"
    )
    done = next(e for e in events if type(e).__name__ == "Done")
    assert done.text.endswith("The filing states an effective tax rate of 20.6% [1].")


def test_a_page_without_column_years_says_the_fiscal_year_its_column_was_taken_for():
    annual = Source(
        1,
        "KHC_2021_10K.pdf",
        40,
        40,
        0.9,
        "Total current assets 9,000 8,000\nTotal current liabilities 7,000 6,000",
        label="Kraft Heinz Co, 10-K, 2021 (KHC_2021_10K)",
        context="Consolidated Balance Sheets | (in millions)",
        doc_id="khc",
    )
    capital, _ = compute("What is Kraft Heinz's FY2021 working capital?", [annual])
    assert [o.period for o in capital.operands] == ["fiscal 2021", "fiscal 2021"]
    assert capital.sentence() == "Kraft Heinz's working capital was $2,000 million in fiscal 2021 [1]."
    quarterly = replace(annual, label="Kraft Heinz Co, 10-Q, 2021 (KHC_2021_10Q)")
    latest, _ = compute("What is Kraft Heinz's working capital?", [quarterly])
    assert latest.operands[0].period == "" and latest.sentence() == (
        "Kraft Heinz's working capital is $2,000 million [1]."  # no period it could name
    )


def test_a_row_label_with_a_note_reference_still_reports_its_line():
    sheet = source(1, "Inventories, net (Note 6) 2,438 2,320\nTotal assets 30,775 29,898", SHEET, doc="glw")
    income = source(2, "Cost of sales 7,772 7,468", INCOME, doc="glw")
    turnover, _ = compute("What is the FY2020 inventory turnover ratio?", [sheet, income])
    assert not turnover.refused and turnover.operands[1].label == "Inventories, net (Note 6)"


def test_an_operand_missing_from_its_years_filing_is_read_from_a_later_one_among_the_sources():
    heading = "Consolidated Statements of Earnings | (In millions) | Fiscal Year 2020 2019 2018"
    segments = "Segment results | (In millions) | Fiscal Year 2018 2017"
    older = Source(1, "W_2018.pdf", 40, 40, 0.9, "Net sales 495,761 481,317", label="Walmart Inc, 10-K, 2018",
                   context=segments, doc_id="w18")  # fmt: skip
    later = Source(2, "W_2020.pdf", 50, 50, 0.8, "Net sales 519,926 510,329 495,761",
                   label="Walmart Inc, 10-K, 2020", context=heading, doc_id="w20")  # fmt: skip
    statement = replace(later, number=9, page_start=51, text="Operating income 20,568 21,957 20,437")
    asked = []

    def search(text):
        asked.append(text)
        return [statement]  # only the 2020 filing's income statement has the line

    margin, extra = compute("What is Walmart's FY2018 operating margin?", [older, later], search)
    assert not margin.refused and margin.shown == f"{20437 / 495761 * 100:.1f}%", margin
    assert [s.doc_id for s in extra] == ["w20"] and len(asked) == 2  # its year's filing first
    assert compute("What is Walmart's FY2018 operating margin?", [older], search)[0].refused
