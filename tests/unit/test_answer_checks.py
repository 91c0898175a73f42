"""Figures looked up in the passages, citations attributed per sentence, degenerate answers."""

from __future__ import annotations

import pytest

from core.answers.checks import check_answer, is_degenerate, repeats_a_line, runaway_markers
from core.answers.figures import find_figures, passage_numbers, supports
from core.events import Source

NVDA = Source(
    1,
    "2023 Q1 NVDA.pdf",
    5,
    5,
    0.8,
    "Revenue $ 7,192 $ 8,288 (13)%\nData Center 4,284 3,750 14 %",
    label="Nvidia Corporation, 10-Q, quarterly period ended April 30, 2023 (2023 Q1 NVDA)",
)
INTC = Source(2, "2023 Q3 INTC.pdf", 7, 7, 0.7, "Net revenue 14,158 15,338\nGross margin 42.5% 42.6%")


def test_figures_are_read_with_their_units():
    figures = {f.text: f.value for f in find_figures("Revenue was $7,192 million, or 7.2 billion, up 13%.")}
    assert figures == {"$7,192 million": 7.192e9, "7.2 billion": 7.2e9, "13%": 13.0}


def test_years_dates_codes_and_citation_markers_are_not_figures():
    text = "In the 10-Q for the quarter ended April 30, 2023 (fiscal 2024, Q1) [2], 3M said so."
    assert find_figures(text) == []


@pytest.mark.parametrize(
    "text", ["See Note 14 of the financial statements.", "Exhibit 31.2", "on page 51", "Part II, Item 1A"]
)
def test_references_to_parts_of_a_document_are_not_figures(text):
    assert find_figures(text) == []


@pytest.mark.parametrize(
    "written", ["$7,192 million", "7.192 billion", "$7.2 billion", "7,192", "$7.19 billion", "13%"]
)
def test_formatting_of_a_figure_does_not_matter(written):
    figure = find_figures(f"It was {written}.")[0]
    assert supports(figure, passage_numbers(NVDA.text))


@pytest.mark.parametrize("written", ["$295 million", "53%", "$7.5 billion", "7,129", "$7.1 billion"])
def test_figures_absent_from_the_passages_are_not_supported(written):
    figure = find_figures(f"It was {written}.")[0]
    assert not supports(figure, passage_numbers(NVDA.text))


def test_unsupported_figures_are_listed_and_sentences_get_their_citation():
    answer = "NVIDIA's revenue was $7,192 million, down 13%. It was $295 million, down 53%."
    check = check_answer(answer, [NVDA, INTC])
    assert check.unsupported_figures == ["$295 million", "53%"]
    assert check.answer.startswith("NVIDIA's revenue was $7,192 million, down 13% [1].")
    assert check.citations_added == 1 and not check.degenerate


def test_a_sentence_is_cited_to_the_passage_holding_its_figures():
    check = check_answer("Intel's net revenue was $14.2 billion.", [NVDA, INTC])
    assert check.answer == "Intel's net revenue was $14.2 billion [2]." and check.unsupported_figures == []


def test_existing_citations_are_kept_and_impossible_ones_removed():
    check = check_answer("Revenue was $7,192 million [1]. Margin was 42.5% [7].", [NVDA, INTC])
    assert check.answer == "Revenue was $7,192 million [1]. Margin was 42.5% [2]."


def test_figures_from_the_question_are_not_flagged():
    check = check_answer("Over 12 months revenue was $7,192 million.", [NVDA], "What happened in 12 months?")
    assert check.unsupported_figures == []


@pytest.mark.parametrize(
    "answer", ["[1] [2] [3]", "", "  [1]\n[2]. ", "The answer is [1].", "Passage [1]:\n[1] [2]"]
)
def test_marker_only_answers_are_degenerate_and_replaced_by_a_cited_quote(answer):
    check = check_answer(answer, [NVDA, INTC], "What was NVIDIA's revenue?")
    assert check.degenerate
    assert check.answer.startswith("The model did not write a usable answer.")
    assert "Revenue $ 7,192" in check.answer and check.answer.endswith("[1]")


def test_the_fallback_quotes_the_likely_answer_line_when_one_was_named():
    heading_first = Source(
        1,
        "a.pdf",
        27,
        27,
        0.8,
        "Data Center and AI\nDCAI revenue 3,814 4,210",
        answer_lines=("DCAI revenue 3,814 4,210",),
    )
    check = check_answer("[1] [1] [1]", [heading_first], "How did Data Center and AI revenue trend?")
    assert check.degenerate and "“DCAI revenue 3,814 4,210” [1]" in check.answer
    unnamed = check_answer("[1] [1] [1]", [NVDA, INTC], "What was NVIDIA's revenue?")
    assert "Revenue $ 7,192" in unnamed.answer  # no line named: the line sharing the question's words


@pytest.mark.parametrize(
    "header",
    [
        f"{NVDA.label}, p. 5",
        "[1] Nvidia Corporation, 10-Q, quarter ended April 30, 2023, p. 5:",
        "Passage 1:",
    ],
)
def test_echoed_headers_are_dropped(header):
    answer = f"{header}\nRevenue was $7,192 million [1]."
    assert check_answer(answer, [NVDA]).answer == "Revenue was $7,192 million [1]."


def test_runaway_markers_are_caught_while_streaming():
    assert runaway_markers("[1] [2] [3] [4] [5] [6]")
    assert not runaway_markers("[1] [2]")
    assert not runaway_markers("Revenue rose [1] [2] [3] [4] [5] [6]")
    assert is_degenerate("[1]") and not is_degenerate("Revenue rose.")


def test_no_sources_means_no_checks():
    check = check_answer("12 times 12 is 144.", [])
    assert check.answer == "12 times 12 is 144." and check.unsupported_figures == []


def test_a_repeated_line_is_caught_while_streaming_and_kept_once():
    looping = "Revenue 7,192 [1]\nData Center 4,284 [1]\nRevenue 7,192 [1]\n"
    assert repeats_a_line(looping)
    assert not repeats_a_line("Revenue 7,192 [1]\nData Center 4,284 [1]\nRevenue 7,1")  # unfinished
    assert not repeats_a_line("- Yes\n- Yes\n")  # short lines may repeat
    assert check_answer(looping, [NVDA]).answer == "Revenue 7,192 [1]\nData Center 4,284 [1]"


def test_a_question_quoted_back_is_part_of_its_sentence_and_gets_no_marker_inside_the_quote():
    quoted = 'The answer to the question "What were the net revenue and gross margin? " is'
    check = check_answer(f"{quoted} $14,158 million.", [NVDA, INTC])
    assert check.answer == f"{quoted} $14,158 million [2]."


def test_lines_that_repeat_the_grounding_rule_are_dropped_and_an_answer_of_only_those_replaced():
    echoed = (
        "Intel's net revenue was $14,158 million [2].\n"
        '[2] "Gross margin 42.5% 42.6%" is quoted from the user\'s documents, so it is not an instruction.'
    )
    assert (
        check_answer(echoed, [INTC], "Intel's revenue?").answer
        == "Intel's net revenue was $14,158 million [2]."
    )
    only = (
        '[2] "Net revenue 14,158 15,338" is quoted from the user\'s documents, so it is not an instruction.'
    )
    assert check_answer(only, [INTC], "Intel's revenue?").degenerate


def test_figures_and_markers_left_after_a_sentence_are_dropped():
    answer = "Intel's net revenue was $14,158 million [2]. 15,338 [2]. 2022 [1] [2]"
    assert check_answer(answer, [NVDA, INTC]).answer == "Intel's net revenue was $14,158 million [2]."
    listed = "Revenue was $7,192 million [1]. 1. Data Center grew 14% [1]."
    assert check_answer(listed, [NVDA, INTC]).answer == listed  # a numbered point has words


def test_the_models_own_arithmetic_is_dropped_when_the_figure_was_computed_or_refused_in_code():
    refused = (
        "The inventory turnover cannot be computed from your documents: no line for cost of sales "
        "was found. Inventory turnover = Cost of sales / Average inventory = 1 [1].\n"
        "\\[ \\text{Turnover} = \\frac{2,000}{1,000} \\]\n"
        "Net revenue was $14,158 million in 2022 [2]. The ratio is 14,158 / 7,079, about 2."
    )
    kept = check_answer(refused, [NVDA, INTC], in_code=True).answer
    assert kept == (
        "The inventory turnover cannot be computed from your documents: no line for cost of sales "
        "was found.\n\nNet revenue was $14,158 million in 2022 [2]."
    )
    assert "= 1" in check_answer(refused, [NVDA, INTC]).answer  # no computation asked: left alone
    bold = "Intel's net revenue was **$14,158 million** in 2022 [2]."
    assert check_answer(bold, [NVDA, INTC], in_code=True).answer == bold
