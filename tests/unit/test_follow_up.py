"""Questions that refer back to the chat are searched for with the questions before them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.answers.follow_up import interleaved, refers_back, search_texts


@pytest.mark.parametrize(
    "question",
    [
        "And its net income?",
        "How did that compare with a year earlier?",
        "How many of them can be carried over?",
        "What about the home office allowance?",
        "also in 2022?",
        "Can I carry them over?",  # "I" names nothing
    ],
)
def test_questions_leaning_on_the_one_before(question):
    assert refers_back(question)


@pytest.mark.parametrize(
    "question",
    [
        "What was Intel's revenue in the third quarter of 2023?",
        "What are the risk factors that Intel faces?",  # "that", but it names its subject
        "Tell me a joke.",
        "How many vacation days do employees get?",
    ],
)
def test_questions_standing_on_their_own(question):
    assert not refers_back(question)


def test_a_follow_up_is_searched_with_the_questions_it_follows_then_alone():
    history = [
        {"role": "user", "content": "What was NVIDIA's data center revenue?"},
        {"role": "assistant", "content": "$4,284 million."},
        {"role": "user", "content": "And its gaming revenue?"},
        {"role": "assistant", "content": "$2,240 million."},
    ]
    assert search_texts("How did that compare with a year earlier?", history) == [
        "What was NVIDIA's data center revenue? And its gaming revenue? "
        "How did that compare with a year earlier?",
        "How did that compare with a year earlier?",
    ]
    assert search_texts("Tell me a joke.", history) == ["Tell me a joke."]
    assert search_texts("And its net income?", []) == ["And its net income?"]  # nothing to lean on
    form = [{"role": "user", "content": "What is this form used for?"}]
    assert search_texts("Summarize it", form) == ["What is this form used for? Summarize it"]
    pasted = [{"role": "user", "content": "word " * 1000}]  # the embedder would cut the question off
    assert len(search_texts("What does it say about X?", pasted)[0]) < 400


@dataclass(frozen=True)
class Found:
    """A named stand-in for a search hit: where it is and its text."""

    file: str
    page_start: int
    text: str


def test_the_searches_of_a_follow_up_are_taken_in_turn_each_passage_once():
    hotel, flights, meals = (
        Found("travel.md", 1, "hotel"),
        Found("travel.md", 2, "economy"),
        Found("t", 3, "x"),
    )
    with_chat, alone = [hotel, meals, flights], [flights, hotel]
    assert interleaved([with_chat, alone]) == [hotel, flights, meals]
    assert interleaved([[], []]) == []
