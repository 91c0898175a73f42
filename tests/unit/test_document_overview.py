"""Questions about a whole document get its opening and most typical passages."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from retrieval.document_overview import asks_about_document, is_boilerplate, overview_rows


@pytest.mark.parametrize(
    "question",
    [
        "Summarize this document",
        "Summarize the Intel report",
        "Give me an overview of the travel policy",
        "What is this form used for?",
        "What is the document about?",
        "What are the key points of this paper?",
        "Summarize the document in three sentences",
        "tl;dr",
        "What is this form used for? Summarize it",  # a follow-up joined to the question before
    ],
)
def test_questions_about_the_whole_document(question):
    assert asks_about_document(question)


@pytest.mark.parametrize(
    "question",
    [
        "Summarize the risk factors in the report",  # something in it: searched for as usual
        "What does the form say about appeals?",
        "What is the form number?",
        "What was Intel's revenue in the quarter?",
    ],
)
def test_questions_about_something_in_a_document(question):
    assert not asks_about_document(question)


def test_the_opening_and_the_most_typical_passages_in_the_documents_order():
    # a named fake corpus: document "d" is rows 1-4; rows 2 and 4 lie nearest its mean direction
    vectors = np.array([[0, 0, 1], [1, 0, 0], [0.6, 0.8, 0], [-1, 0.1, 0], [0.5, 0.86, 0]], dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = ["other", "Cover", "Revenue grew 8%.", "Risk factors", "Operations by segment"]
    rows = [SimpleNamespace(text=t) for t in texts]
    corpus = SimpleNamespace(
        index=SimpleNamespace(vectors=vectors), doc_rows={"d": np.array([1, 2, 3, 4])}, rows=rows
    )
    assert [row for row, _ in overview_rows(corpus, "d", 3)] == [1, 2, 4]
    assert overview_rows(corpus, "missing", 3) == []
    # the signature page is as typical as row 4 was: it is left out, and row 3 comes in
    rows[4] = SimpleNamespace(text="SIGNATURES\nApple Inc.\n/s/ Luca Maestri\nChief Financial Officer")
    assert [row for row, _ in overview_rows(corpus, "d", 3)] == [1, 2, 3]


def test_a_table_of_contents_is_boilerplate_and_a_statement_is_not():
    contents = "\n".join(f"Item {i}. Section title number {i} .... {i * 3}" for i in range(1, 9))
    assert is_boilerplate(contents)
    statement = "Total net sales 117,154 123,945\nCost of sales 66,822 69,702\nGross margin 50,332 54,243"
    assert not is_boilerplate(statement)
