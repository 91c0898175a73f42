"""Answers about amounts read as sentences: statement rows parsed (core/answers/statement_lines.py),
the sentence written from one (core/answers/figure_sentence.py), quote-only lines dropped and no
citation marker inside a name (core/answers/checks.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.answers.checks import attribute_citations, check_answer
from core.answers.figure_sentence import figure_sentence
from core.answers.figures import passage_numbers
from core.answers.statement_lines import column_periods, parse_line, scale, table_rows
from core.events import Source

APPLE = "Apple Inc., 10-Q, quarterly period ended December 31, 2022 (2023 Q1 AAPL)"
APPLE_HEADING = (
    "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS (Unaudited) | (In millions, except number of shares) | "
    "Three Months Ended | December 31, 2022 December 25, 2021"
)
CASH_FLOWS = (
    "3M Company and Subsidiaries | Consolidated Statement of Cash Flows | Years ended December 31 | "
    "(Millions) 2018 2017 2016"
)


@pytest.mark.parametrize(
    ("line", "label", "values"),
    [
        ("Total net sales $ 117,154 $ 123,945", "Total net sales", ("117,154", "123,945")),
        (
            "Purchases of property, plant and equipment (1,577) (1,373)",
            "Purchases of property, plant and equipment",
            ("(1,577)", "(1,373)"),
        ),
        ("Gross margin percentage 43.0 % 43.8 %", "Gross margin percentage", ("43.0%", "43.8%")),
        ("Revenue $ 7,192 $ 8,288 (13)%", "Revenue", ("7,192", "8,288", "(13)%")),
    ],
)
def test_a_statement_row_is_read_as_its_label_and_values_as_printed(line, label, values):
    row = parse_line(line)
    assert row is not None and (row.label, row.values) == (label, values)


@pytest.mark.parametrize(
    "line",
    [
        "Services net sales increased during the first quarter of 2023 due to the App Store",
        "2022 2021",
        "Revenue",
    ],
)
def test_prose_a_year_row_or_a_bare_label_is_no_statement_row(line):
    assert parse_line(line) is None


def test_rows_run_into_one_line_are_split_and_a_label_set_word_by_word_is_joined():
    text = (
        "2022 2021 2020 Net earnings $ 2,735.0 $ 2,346.0 $ 2,210.8 Adjustments to reconcile net earnings: "
        "Depreciation and amortization 570.3 601.3 594.7 Divestitures loss (194.1) 53.5 - Other, net (50.7) "
        "(131.8) 45.9\nCurrent\nassets\nInventories 110,831 102,292\nProperty\nand\nequipment,\n"
        "net 20,729,888 19,635,459"
    )
    assert table_rows(text) == [
        "2022 2021 2020",
        "Net earnings $ 2,735.0 $ 2,346.0 $ 2,210.8",
        "Adjustments to reconcile net earnings:",
        "Depreciation and amortization 570.3 601.3 594.7",
        "Divestitures loss (194.1) 53.5 -",
        "Other, net (50.7) (131.8) 45.9",
        "Inventories 110,831 102,292",
        "Property and equipment, net 20,729,888 19,635,459",
    ]


def test_columns_take_their_periods_from_the_page_heading():
    assert column_periods(APPLE_HEADING, 2) == [
        "the three months ended December 31, 2022",
        "the three months ended December 25, 2021",
    ]
    assert column_periods(CASH_FLOWS, 3)[0] == "the year ended December 31, 2018"
    assert column_periods("Balance Sheets", 2) == []  # no periods: the sentence names none
    assert (scale(APPLE_HEADING), scale(CASH_FLOWS), scale("we have millions of users")) == (
        "million",
        "million",
        "",
    )


def test_the_sentence_says_what_the_figure_is_its_unit_period_and_source():
    source = Source(
        1, "aapl.pdf", 4, 4, 0.9, "Total net sales $ 117,154 $ 123,945", label=APPLE, context=APPLE_HEADING
    )
    question = "What were Apple's total net sales in the quarter ended December 31, 2022?"
    assert figure_sentence(source, "Total net sales 117,154 123,945", question) == (
        "Apple's total net sales were $117,154 million in the three months ended December 31, 2022 [1]."
    )
    earlier = figure_sentence(source, "Total net sales 117,154 123,945", "And on December 25, 2021?")
    assert "$123,945 million in the three months ended December 25, 2021" in earlier
    cash = Source(
        2, "3m.pdf", 60, 60, 0.9, "$", label="3M Company, 10-K, fiscal year 2018", context=CASH_FLOWS
    )
    capex = figure_sentence(
        cash, "Purchases of property, plant and equipment (PP&E) (1,577) (1,373) (1,420)", "FY2017 capex?"
    )
    assert (
        capex == "3M's purchases of property, plant and equipment (PP&E) were $1,373 million "
        "in the year ended December 31, 2017 [2]."
    )


def test_a_page_without_column_years_states_the_annual_reports_own_year_and_the_one_asked():
    source = Source(
        4,
        "pep.pdf",
        65,
        65,
        0.9,
        "Net revenue $ 86,392 $ 79,474",
        label="PepsiCo Inc, 10-K, 2022 (PEPSICO_2022_10K)",
        context="Consolidated Statement of Income | (in millions)",
    )
    row = "Net revenue $ 86,392 $ 79,474"
    assert figure_sentence(source, row, "What was PepsiCo's FY2021 net revenue?") == (
        "PepsiCo's net revenue was $79,474 million in fiscal 2021 [4]."
    )
    assert "$86,392 million in fiscal 2022 [4]" in figure_sentence(source, row, "PepsiCo's net revenue?")
    quarterly = replace(source, label="PepsiCo Inc, 10-Q, 2022 (PEPSICO_2022Q2_10Q)")
    assert figure_sentence(quarterly, row, "PepsiCo's net revenue?").endswith("$86,392 million [4].")


def test_a_balance_is_stated_at_its_date():
    heading = "Consolidated Balance Sheets | (In millions) | December 31, 2022 December 31, 2021"
    source = Source(
        3,
        "ko.pdf",
        70,
        70,
        0.9,
        "Total assets $ 92,763 $ 94,354",
        label="Coca-Cola Co, 10-K",
        context=heading,
    )
    assert figure_sentence(
        source, "Total assets $ 92,763 $ 94,354", "Coca-Cola's total assets in FY2021?"
    ) == ("Coca-Cola's total assets were $94,354 million at December 31, 2021 [3].")


def test_a_per_share_figure_or_a_count_gets_no_scale_and_a_count_no_dollar_sign():
    source = Source(1, "aapl.pdf", 4, 4, 0.9, "$ shares", label=APPLE, context=APPLE_HEADING)
    assert "was $1.88 in" in figure_sentence(source, "Diluted earnings per share $ 1.88 $ 2.10", "EPS?")
    shares = figure_sentence(
        source, "Shares used in computing diluted earnings 16,000,000 16,500,000", "Shares?"
    )
    assert "were 16,000,000 in" in shares and "$" not in shares  # "(In millions, except number of shares)"


def test_quote_only_lines_are_dropped_when_the_answer_has_words_of_its_own():
    sources = [
        Source(1, "aapl.pdf", 4, 4, 0.9, "Total net sales 117,154 123,945\nServices net sales increased")
    ]
    answer = (
        '[1] "Total net sales 117,154 123,945"\n[1] "Services net sales increased during the App"\n'
        "Sales were $117,154 million [1]."
    )
    assert check_answer(answer, sources).answer == "Sales were $117,154 million [1]."
    quote_only = '[1] "Total net sales 117,154 123,945"'
    assert check_answer(quote_only, sources).answer == quote_only  # nothing else to show: kept


def test_no_citation_marker_splits_a_company_name():
    text = "Apple Inc. is a company that designs smartphones and personal computers worldwide."
    source = Source(1, "a.pdf", 1, 1, 0.9, text)
    cited, added = attribute_citations(
        "Apple Inc. is a company that designs smartphones and personal computers.",
        [source],
        {1: passage_numbers(text)},
    )
    assert (
        cited == "Apple Inc. is a company that designs smartphones and personal computers [1]." and added == 1
    )


def test_prose_cut_at_a_figure_gets_no_sentence_and_an_outflow_no_minus_sign():
    source = Source(1, "msft.pdf", 4, 4, 0.9, "$", label="Microsoft Corporation, 10-Q", context=APPLE_HEADING)
    assert figure_sentence(source, "2013 issuance of $5.2 billion", "Debt?") == ""
    assert figure_sentence(source, "Net revenue for the quarter was $14,158", "Revenue?") == ""
    assert figure_sentence(source, "Capital expenditures were $1,577 $1,373", "Capex?") == ""
    assert "interest expense was $66 million" in figure_sentence(
        source, "Interest expense (66) (68)", "Interest?"
    )
    assert "was -$1,234 million" in figure_sentence(source, "Net income (loss) (1,234) 567", "Net income?")


def test_a_line_that_runs_rows_together_opens_with_the_row_the_question_names():
    from core.answers.opening import answer_opening

    heading = "Consolidated Statements of Operations | (In millions) | Year Ended | December 31, 2022 2021"
    line = "Revenues 5,000 4,000 Cost of revenues 3,000 2,500 Gross profit 2,000 1,500"
    source = Source(1, "acme.pdf", 40, 40, 0.9, line, label="Acme Inc., 10-K", context=heading)
    source = replace(source, answer_lines=(line,))
    opening = answer_opening([source], "What was Acme's gross profit in 2022?")
    assert opening.startswith("Acme's gross profit was") and "2,000" in opening and "[1]" in opening
    assert answer_opening([source], "How many employees does Acme have?") == ""


def test_the_company_is_named_as_people_say_it():
    from core.answers.statement_lines import company

    assert company("The Boeing Company, 10-K, fiscal year 2018") == "Boeing"
    assert company("JPMorgan Chase & Co., 10-Q, quarterly period ended June 30, 2022") == "JPMorgan Chase"
    assert company("Apple Inc., 10-Q, quarterly period ended December 31, 2022") == "Apple"
    assert company("10-K, fiscal year 2018 (NETFLIX_2018_10K)") == ""  # no company on the cover
    assert company("3M Company, 10-K, fiscal year 2018") == "3M"


def test_capital_spending_is_an_outflow_said_without_a_minus_sign():
    source = Source(1, "pep.pdf", 63, 63, 0.9, "$", label="PepsiCo Inc, 10-K, 2021", context=CASH_FLOWS)
    said = figure_sentence(source, "Capital spending (4,625) (4,240) (4,232)", "PepsiCo's FY2018 capex?")
    assert said == "PepsiCo's capital spending was $4,625 million in the year ended December 31, 2018 [1]."


def test_a_note_reference_is_part_of_the_label_not_a_value_and_not_said():
    row = parse_line("Inventories, net (Note 6) 2,438 2,320")
    assert row is not None and row.values == ("2,438", "2,320")
    heading = "Consolidated Balance Sheets | (In millions) | December 31, 2020 December 31, 2019"
    source = Source(1, "glw.pdf", 72, 72, 0.9, "x", label="Corning Inc, 10-K, 2020", context=heading)
    assert figure_sentence(source, "Inventories, net (Note 6) $ 2,438 $ 2,320", "Corning's inventories?") == (
        "Corning's inventories, net were $2,438 million at December 31, 2020 [1]."
    )


def test_a_figure_with_cents_in_a_table_except_per_share_data_gets_no_scale():
    heading = (
        "MGM RESORTS INTERNATIONAL AND SUBSIDIARIES | CONSOLIDATED STATEMENTS OF STOCKHOLDERS' EQUITY | "
        "(In thousands, except per share data) | Year Ended December 31, | 2022 2021"
    )
    source = Source(1, "mgm.pdf", 70, 70, 0.9, "$", label="MGM Resorts International, 10-K", context=heading)
    line = "Dividends declared and paid to common shareholders $ 0.01 $ 0.01"
    dividends = figure_sentence(source, line, "Has MGM Resorts paid dividends in FY2022?")
    assert "were $0.01 in" in dividends and "thousand" not in dividends
    total = figure_sentence(source, "Dividends paid to common shareholders (3,781) (4,928)", "dividends?")
    assert "$3,781 thousand" in total


def test_an_unlabelled_row_summing_the_rows_under_a_caption_is_their_total():
    page = "\n".join(
        [
            "(In thousands)",
            "2020 2019",
            "Revenues",
            "Casino $ 2,871,720 $ 6,517,759",
            "Rooms 830,382 2,322,579",
        ]
        + ["3,702,102 8,840,338", "Expenses", "Casino 1,701,783 3,623,899", "Rooms 419,156 829,677"]
        + ["2,000,000 4,453,576"]  # not their sum: a row whose label was lost, left as it is
    )
    rows = table_rows(page)
    assert "Total revenues 3,702,102 8,840,338" in rows
    assert "2,000,000 4,453,576" in rows and not any(r.startswith("Total expenses") for r in rows)


def test_a_per_share_aside_broken_over_two_lines_is_part_of_the_label():
    text = "Dividends declared and paid to common shareholders ($0.01 per\nshare) — — — (4,789) — (4,789)"
    (row,) = table_rows(text)
    parsed = parse_line(row)
    assert parsed is not None
    assert parsed.label == "Dividends declared and paid to common shareholders ($0.01 per share)"
    assert parsed.values == ("—", "—", "—", "(4,789)", "—", "(4,789)")
    assert (
        parse_line("Dividends declared and paid to common shareholders ($0.01 per") is None
    )  # its start alone
