"""The growing answer is redrawn at most every REDRAW_S (a named fake placeholder and clock)."""

from __future__ import annotations

from ui import chat_interface


class FakePlaceholder:
    """Stands in for ``st.empty()``: records what was drawn."""

    def __init__(self) -> None:
        self.drawn: list[str] = []

    def markdown(self, text: str) -> None:
        self.drawn.append(text)

    def empty(self) -> None:
        self.drawn.append("")


def test_first_piece_at_once_then_at_most_every_redraw_s_and_the_whole_answer_last(monkeypatch):
    placeholder = FakePlaceholder()
    clock = iter([100.0, 100.05, 100.1, 100.25, 100.3])  # one reading per piece
    monkeypatch.setattr(chat_interface.st, "empty", lambda: placeholder)
    monkeypatch.setattr(chat_interface.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(chat_interface, "REDRAW_S", 0.2)
    chat_interface._stream_markdown(iter(["The", " answer", " is", " 42", "."]))
    assert placeholder.drawn == ["The ▌", "The answer is 42 ▌", "The answer is 42."]


def test_an_image_split_across_redraws_is_still_never_rendered(monkeypatch):
    placeholder = FakePlaceholder()
    monkeypatch.setattr(chat_interface.st, "empty", lambda: placeholder)
    chat_interface._stream_markdown(iter(["![x](http://evil.example/", "a.png)"]))
    assert all("![" not in text for text in placeholder.drawn)
