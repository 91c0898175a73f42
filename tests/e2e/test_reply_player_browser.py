"""The spoken-reply player (ui/audio_player.py) in Chromium, served from a folder the test writes
as the app does: it asks only for sentences that are written, so a model slower than speech
causes no stream of failed requests, and it plays each one when it is."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest

from ui import audio_player

pytestmark = pytest.mark.e2e
ORIGIN = "http://player.test"


def _wav(seconds: float) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\x00\x01" * int(16000 * seconds))
    return out.getvalue()


def test_the_player_waits_for_a_sentence_instead_of_asking_for_it(page, tmp_path, monkeypatch):
    monkeypatch.setattr(audio_player, "STATIC_DIR", tmp_path)
    drawn: list[str] = []

    class Slot:  # a named fake of st.empty(): keeps the player's HTML instead of drawing it
        def container(self, **_):
            return self

        def __enter__(self):
            return self

        def __exit__(self, *_):
            return False

        def iframe(self, html, height):
            drawn.append(html)

    monkeypatch.setattr(audio_player.st, "empty", lambda: Slot())
    monkeypatch.setattr(audio_player.st, "caption", lambda *_: None)
    live = audio_player.LiveReplyAudio()
    live.reserve_player()
    live.add(0, _wav(0.3))  # the first sentence, drawn with the player

    asked: list[tuple[str, int]] = []

    def serve(route):
        path = tmp_path / Path(route.request.url.removeprefix(f"{ORIGIN}/app/static/tts/"))
        status = 200 if path.is_file() else 404
        asked.append((path.name, status))
        route.fulfill(status=status, body=path.read_bytes() if status == 200 else b"not found")

    page.route(f"{ORIGIN}/app/static/tts/**", serve)
    page.route(f"{ORIGIN}/player", lambda route: route.fulfill(body=drawn[0], content_type="text/html"))
    page.goto(f"{ORIGIN}/player")
    page.mouse.click(5, 5)  # a person has clicked on the page (in the app: sent the question)
    page.evaluate("() => document.getElementById('player').play()")  # headless blocked the autoplay
    page.wait_for_timeout(2500)  # the first sentence has played; the model has not written more
    assert ("state.json", 200) in asked and all(status == 200 for _, status in asked), asked

    live.add(1, _wav(0.3))
    page.wait_for_function("() => (document.getElementById('player').dataset.piece || '').endsWith('/1.wav')")
    live.finish()
    page.wait_for_timeout(1000)
    assert [name for name, _ in asked if name.endswith(".wav")] == ["1.wav"]  # each fetched once
    assert all(status == 200 for _, status in asked), asked
