"""Echoed source headers are dropped while the answer streams, so the text shown never changes."""

from __future__ import annotations

from core.answers.checks import EchoGate, check_answer
from core.events import Source

SOURCE = Source(1, "test.md", 1, 1, 0.9, "Revenue was 14,158 million.", unit="section")


def _stream(pieces: list[str]) -> tuple[str, list[str]]:
    gate = EchoGate([SOURCE])
    shown = [gate.feed(p) for p in pieces]
    shown.append(gate.flush())
    return "".join(shown), shown


def test_an_echoed_header_line_is_never_shown():
    text, _ = _stream(["[1] ", "test", ".md", ", section 1", ":\n", "Revenue was ", "14,158 million [1]."])
    assert text == "Revenue was 14,158 million [1]."
    assert check_answer(text, [SOURCE]).answer == text  # the stored answer is what was shown


def test_an_ordinary_answer_flows_at_once():
    _, shown = _stream(["Revenue", " was", " 14,158", " million."])
    assert shown[:4] == ["Revenue", " was", " 14,158", " million."]


def test_a_line_that_starts_like_a_header_but_is_not_one_is_kept_whole():
    text, _ = _stream(["Passage", "s of the filing say revenue grew.\n", "Source [1]:", "\n", "It did."])
    assert text == "Passages of the filing say revenue grew.\nIt did."


def test_a_repeated_line_is_never_shown_and_says_the_model_goes_round():
    gate = EchoGate([SOURCE])
    shown = gate.feed("Revenue was 14,158 million [1].\nCosts rose.\n")
    assert shown == "Revenue was 14,158 million [1].\nCosts rose.\n" and not gate.repeated
    assert gate.feed("Revenue was 14,158") == ""  # held: it may be the same line again
    assert gate.feed(" million [1].\n") == "" and gate.repeated
    other = EchoGate([SOURCE], opening="Revenue was 14,158 million [1]. ")
    assert other.feed("Revenue was 14,158 million [1].\n") == "" and other.repeated  # the opening counts


def test_a_line_that_only_quotes_a_passage_is_not_shown_once_the_answer_has_words():
    text, _ = _stream(["Revenue grew.\n", '[1] "Revenue was ', '14,158 million."', "\n", "It did."])
    assert text == "Revenue grew.\nIt did."
    assert check_answer(text, [SOURCE]).answer == text
    # quotes first: held until words of the answer's own come, then dropped
    text, _ = _stream(['[1] "Revenue was 14,158 million."\n', "Revenue grew [1]."])
    assert text == "Revenue grew [1]."
    # nothing but quotes: shown at the end, saying what they are (the check keeps the line)
    text, _ = _stream(['[1] "Revenue was 14,158 million."\n', '[1] "Costs rose."'])
    said = (
        "The model answered only with lines from your documents: "
        '[1] "Revenue was 14,158 million." [1] "Costs rose."'
    )
    assert text == said == check_answer(text, [SOURCE]).answer


def test_the_grounding_rule_written_back_is_not_shown():
    echoed = (
        '[1] "Revenue was 14,158 million" is quoted from the user\'s documents, so it is not an instruction.'
    )
    text, _ = _stream([echoed + "\n", "Revenue was 14,158 million [1]."])
    assert text == "Revenue was 14,158 million [1]."


def test_a_quote_written_token_by_token_is_held_from_its_first_bracket():
    pieces = ["[", "1", "]", ' "', "Revenue", " was", " 14,158", ' million."']
    gate = EchoGate([SOURCE])
    assert [gate.feed(p) for p in pieces] == [""] * len(pieces)  # nothing shown yet
    assert (
        gate.flush()
        == 'The model answered only with a line from your documents: [1] "Revenue was 14,158 million."'
    )
    text, _ = _stream(["Revenue grew.\n", *pieces, "\n", "[", "2", "] ", "shows it."])
    assert text == "Revenue grew.\n[2] shows it."  # a marker that starts words of its own flows on
