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
