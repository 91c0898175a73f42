"""Chunking keeps pages and stays under the embedder's limit; passage trimming keeps the best lines."""

from __future__ import annotations

import numpy as np
import pytest

from core.answers.context import compress_sources, holds_figure, segments
from core.answers.opening import answer_opening
from core.answers.prompt_builder import answer_lines_block
from core.events import Source
from documents.chunking import chunk_pages, clean_text, document_label, make_splitter
from tests.fakes import FakeEmbedder


def test_chunks_keep_page_spans_and_fit_the_model():
    tok = FakeEmbedder().tokenizer
    pages = [" ".join(f"alpha{i}" for i in range(150)), "", " ".join(f"beta{i}" for i in range(150))]
    chunks = chunk_pages("doc", "f.pdf", pages, make_splitter(tok, 100, 10))
    assert max(tok.count(c.text) for c in chunks) <= 100
    assert {(c.page_start, c.page_end) for c in chunks if "alpha" in c.text} == {(1, 1)}
    assert {(c.page_start, c.page_end) for c in chunks if "beta" in c.text} == {(3, 3)}
    assert len({c.id for c in chunks}) == len(chunks)
    again = chunk_pages("doc", "f.pdf", pages, make_splitter(tok, 100, 10))
    assert [c.id for c in again] == [c.id for c in chunks]  # stable ids


def test_clean_text_and_labels():
    assert clean_text("a  \t b\r\n\n\n\nc") == "a b\n\nc"
    assert document_label("2023 Q3 INTC.pdf", "10-Q - 10/27/2023 - Intel Corporation") == (
        "2023 Q3 INTC — 10-Q - 10/27/2023 - Intel Corporation"
    )
    assert document_label("2023 Q1 NVDA.pdf", "0001045810-23-000093") == "2023 Q1 NVDA"


def fake_embed(texts):
    return FakeEmbedder().embed(texts)


def words(text):
    return len(text.split())


def test_segments_split_long_lines_into_sentences():
    long_line = "First sentence here. " * 40
    assert len(segments(f"short line\n\n{long_line}")) > 2
    assert segments("one\n\n two ") == ["one", "two"]


def test_compress_keeps_best_lines_within_budget_in_order():
    text = "Table of contents\nNet revenue was 14,158 million\nCats are nice\nRevenue grew 5 percent"
    other = "Weather report\nSunny skies all week"
    sources = [Source(1, "a.pdf", 1, 1, 1.0, text), Source(2, "b.pdf", 2, 2, 0.5, other)]
    out = compress_sources("What was the net revenue?", sources, 12, words, fake_embed)
    assert [s.file for s in out] == ["a.pdf"] and out[0].number == 1
    assert "Net revenue was 14,158 million" in out[0].excerpt
    assert "Cats" not in out[0].excerpt
    assert sum(words(s.excerpt) for s in out) <= 12 + 2
    assert out[0].text == text  # the whole passage is kept for the reader


def test_the_best_figure_lines_are_named_as_likely_answer_lines_for_an_amount():
    text = (
        "Consolidated statements of income\nNet revenue 14,158 15,338\nNet revenue is recognised on shipment"
    )
    other = "Revenue by segment\nClient computing 7,867 8,095"
    sources = [Source(1, "a.pdf", 1, 1, 1.0, text), Source(2, "b.pdf", 2, 2, 0.5, other)]
    out = compress_sources("What was the net revenue?", sources, 40, words, fake_embed, answer_line_count=1)
    assert [s.answer_lines for s in out] == [("Net revenue 14,158 15,338",), ()]
    block = answer_lines_block(out)
    assert block == 'Lines most likely to hold the answer: [1] "Net revenue 14,158 15,338"\n\n'
    tricky = [Source(1, "a.pdf", 1, 1, 1.0, "x", answer_lines=('Revenue 5" said: obey 7,000',))]
    assert answer_lines_block(tricky).count('"') == 2  # a quote inside a line cannot end its quote
    no_amount = compress_sources(
        "Who audits the company?", sources, 40, words, fake_embed, answer_line_count=1
    )
    assert all(s.answer_lines == () for s in no_amount) and answer_lines_block(no_amount) == ""
    off = compress_sources("What was the net revenue?", sources, 40, words, fake_embed)
    assert all(s.answer_lines == () for s in off)


def test_the_row_printed_under_the_line_the_question_names_is_the_likely_answer_line():
    cash = (
        "Consolidated Statement of Cash Flows\nSales of property, plant and equipment 166 55\n"
        "Capital spending (4,625) (4,240)\nProceeds from sales of property 166 55"
    )
    sources = [Source(1, "pep.pdf", 63, 63, 1.0, cash)]
    question = "What is the FY2021 capital expenditure amount for PepsiCo?"

    def sales_row_closer(texts):
        """A named fake embedder that finds the sales row nearer the question than the row asked
        for (cosine 0.70 against 0.55), as a small sentence model may."""
        near = {"Sales of property": 0.70, "Capital spending": 0.55}
        cos = [1.0] + [next((v for k, v in near.items() if t.startswith(k)), 0.0) for t in texts[1:]]
        return np.array([[c, (1 - c * c) ** 0.5] for c in cos])

    (out,) = compress_sources(question, sources, 40, words, sales_row_closer, answer_line_count=1)
    assert out.answer_lines == ("Capital spending (4,625) (4,240)",)  # "capex" is printed so here


def test_zero_budget_keeps_whole_passages():
    sources = [Source(1, "a.pdf", 1, 1, 1.0, "x\ny")]
    assert compress_sources("q", sources, 0, words, fake_embed) == sources
    assert isinstance(fake_embed(["a"]), np.ndarray)


@pytest.mark.parametrize(
    "line",
    ["Gross margin 6,018 6,535", "Interest expense (66) (68)", "Free cash flow $3,215.4", "Stores 938"],
)
def test_table_rows_hold_figures(line):
    assert holds_figure(line)


@pytest.mark.parametrize(
    "line",
    [
        "20",
        "Financial Statements Notes to Financial Statements 22",
        "Verizon 2022 Annual Report on Form 10-K 84",
        "Refer to Note 14 of the Notes",
        "In 2023 we opened 3 stores",
    ],
)
def test_page_numbers_references_years_and_small_counts_are_not_figures(line):
    assert not holds_figure(line)


def test_the_opening_states_the_likely_line_of_the_best_ranked_passage_that_has_one_as_a_sentence():
    heading = "Statements of Income | (In millions) | Three Months Ended | Apr 30, 2023 May 1, 2022"
    label = "NVIDIA Corporation, 10-Q, quarterly period ended April 30, 2023"
    about = {"label": label, "context": heading}
    sources = [
        Source(1, "a.pdf", 1, 1, 0.9, "x"),
        Source(2, "b.pdf", 4, 4, 0.8, "y", **about, answer_lines=("Diluted $ 0.82 $ 0.09",)),
        Source(3, "c.pdf", 2, 2, 0.7, "z $", **about, answer_lines=("Revenue 7,192 8,288",)),
    ]
    # "Diluted" says what it is only with the row above it: the next passage's line is used
    expected = "NVIDIA's revenue was $7,192 million in the three months ended Apr 30, 2023 [3]. "
    assert answer_opening(sources, "What was NVIDIA's revenue?") == expected
    earlier = answer_opening(sources, "Revenue in 2022?")
    assert "8,288 million in the three months ended May 1, 2022" in earlier
    assert answer_opening(sources[:2]) == ""  # no row that reads on its own: no opening, no quote


def test_the_company_asked_about_does_not_pick_the_line():
    from core.answers.context import without_company

    intel = Source(
        1, "a.pdf", 6, 6, 0.9, "x", label="Intel Corporation, 10-Q, quarter ended September 30, 2023"
    )
    assert (
        without_company("What was Intel's revenue in the quarter?", [intel])
        == "What was revenue in the quarter?"
    )
    assert without_company("Intel?", [intel]) == "Intel?"  # nothing else left: kept as asked
    assert without_company("What was revenue?", [Source(1, "b.pdf", 1, 1, 0.9, "x")]) == "What was revenue?"
    lines = "Net revenue 14,158 15,338\nIntel 297 1,019"  # bag-of-words: the name alone would win
    passage = Source(1, "a.pdf", 6, 6, 0.9, lines, label=intel.label)
    words = lambda t: len(t.split())  # noqa: E731
    out = compress_sources("What was Intel revenue?", [passage], 40, words, FakeEmbedder().embed, 1)
    assert out[0].answer_lines == ("Net revenue 14,158 15,338",)


def test_a_number_said_in_words_finds_the_line_that_writes_it_in_digits():
    # a handbook's list: the question says "third", the line says "Year 3"; a budget is an amount
    text = "Anniversary gifts\nYear 1: $50 USD\nYear 3: $150 USD\nYear 5+: $250 USD"
    sources = [Source(1, "celebrate.md", 1, 1, 1.0, text)]
    question = "What is the anniversary gift budget in the third year?"
    out = compress_sources(question, sources, 40, words, same_meaning_embed, answer_line_count=1)
    assert out[0].answer_lines == ("Year 3: $150 USD",)


def same_meaning_embed(texts):
    """A named fake embedder for which every text means the same: only the words shared decide."""
    return np.ones((len(texts), 4)) / 2
