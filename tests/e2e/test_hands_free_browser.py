"""Hands-free in Chromium with a fake microphone: a recording of a spoken question followed by
silence, which Chromium plays in a loop, so the question is asked again while the answer is
being spoken (barge-in). The only click is the switch."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, open_app, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e
MESSAGES = "[data-testid='stChatMessage']"
# A request the 0.5B model answers at length every time, so the reply is still being spoken when the
# loop asks again: it refused the story it was asked for before on about 1 draw in 6 (a one-line
# reply that ends before the next question, so no barge-in came within the test's two minutes).
# "Please" first: on a busy machine the first word's start is clipped ("Bliss 20 parts ..."), and
# the model echoed that transcript back, then every later question too.
QUESTION = "Please list twenty parts of a robot, one per line."


def listener_state(page) -> str | None:
    """The state the hands-free listener shows (None when it is not on the page)."""
    for frame in page.frames:
        try:
            state = frame.evaluate("() => window.handsFreeState || null")
        except Exception:  # noqa: BLE001 - a frame that went away meanwhile
            continue
        if state:
            return state
    return None


def gone(page) -> bool:
    """The listener has left the page (Streamlit removes stale elements just after a run)."""
    for _ in range(20):
        if listener_state(page) is None:
            return True
        page.wait_for_timeout(250)
    return False


def _has(frame, name: str) -> bool:
    try:
        return bool(frame.evaluate(f"() => !!window.{name}"))
    except Exception:  # noqa: BLE001
        return False


def listener_value(page, name: str):
    for frame in page.frames:
        try:
            value = frame.evaluate(f"() => window.{name} || null")
        except Exception:  # noqa: BLE001
            continue
        if value:
            return value
    return None


@pytest.fixture
def spoken_question(tmp_path):
    from models.tts_model import create_tts
    from utils.audio_utils import decode_audio, wav_bytes

    speech = decode_audio(create_tts("", 160, 1.0).synthesize(QUESTION))  # Piper, as a person would say it
    pause = np.zeros(16000 * 6, dtype=np.float32)
    path = tmp_path / "question-then-silence.wav"
    path.write_bytes(wav_bytes(np.concatenate([np.zeros(16000, dtype=np.float32), speech, pause]), 16000))
    return path


def stored_breakdowns(data_dir) -> list[dict]:
    """The stage times stored with each answer (a finished one in its stats, a stopped one as is)."""
    with sqlite3.connect(data_dir / "conversations.sqlite3") as db:
        metas = [json.loads(m) for (m,) in db.execute("SELECT meta FROM messages WHERE role = 'assistant'")]
    return [(m.get("stats") or {}).get("breakdown") or m.get("breakdown") or {} for m in metas]


def test_talk_pause_hear_the_answer_and_interrupt_it(app_server, playwright, spoken_question, tmp_path):
    server = app_server(MAX_ANSWER_TOKENS="80")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={spoken_question}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    try:
        context = browser.new_context(permissions=["microphone"], viewport={"width": 1300, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(120_000)
        outside = []
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith((server.url, "data:", "blob:")) else None,
        )
        open_app(page, server.url)

        page.get_by_text("Hands-free", exact=True).click()  # the only click
        page.wait_for_function(f'() => document.querySelectorAll("{MESSAGES}").length >= 2')
        assert "robot" in page.locator(MESSAGES).first.inner_text().lower()  # the transcript is the question
        # The words so far were sent when the speaker fell silent, and the answer used their
        # transcript, taken during the end-of-speech pause (core/voice/head_start.py).
        assert any(event == "head_start" for event, _ in listener_value(page, "handsFreeTimeline"))
        wait_until_idle(page)
        assert any("early_stt_s" in b and "stt_s" not in b for b in stored_breakdowns(tmp_path))

        # The loop asks again while a reply is being spoken: the speech stops, the partial answer is
        # kept ("Stopped by you."), and the new utterance is the next question.
        for _ in range(240):
            if listener_value(page, "handsFreeStoppedSpeech"):
                break
            page.wait_for_timeout(500)
        assert listener_value(page, "handsFreeStoppedSpeech"), "no reply was interrupted while speaking"
        stopped = (
            f'[...document.querySelectorAll("{MESSAGES}")].some(m => m.innerText.includes("Stopped by you"))'
        )
        page.wait_for_function(f"() => {stopped}")
        page.wait_for_function(f'() => document.querySelectorAll("{MESSAGES}").length >= 4')
        assert listener_state(page) in {"listening", "hearing", "thinking", "speaking"}
        screenshot(page, "hands-free")

        # Switching off removes the listener, and with its page the microphone stream.
        page.get_by_text("Hands-free", exact=True).click()
        wait_until_idle(page)
        assert gone(page)

        # On again, then the microphone is unplugged: a message, and hands-free switches itself off.
        page.get_by_text("Hands-free", exact=True).click()
        for _ in range(120):
            if any(_has(f, "handsFreeStream") for f in page.frames):
                break
            page.wait_for_timeout(250)
        frame = next(f for f in page.frames if _has(f, "handsFreeStream"))
        frame.evaluate("() => window.handsFreeStream.getAudioTracks()[0].dispatchEvent(new Event('ended'))")
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_text("microphone was disconnected").wait_for()
        assert page.get_by_role("switch", name="Hands-free").is_checked() is False
        assert gone(page)
        assert outside == []  # nothing fetched from anywhere but the app (VAD files are bundled)
    finally:
        browser.close()


@pytest.mark.parametrize(
    ("case", "extra_args", "message"),
    [
        ("no-microphone", [], "No microphone was found"),
        ("permission-denied", ["--use-fake-device-for-media-stream"], "permission was denied"),
    ],
)
def test_a_microphone_problem_says_so_and_switches_off(app_server, playwright, case, extra_args, message):
    server = app_server()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *extra_args])
    try:
        page = browser.new_context(
            viewport={"width": 1300, "height": 1000}
        ).new_page()  # no permission granted
        page.set_default_timeout(90_000)
        open_app(page, server.url)
        page.get_by_text("Hands-free", exact=True).click()
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_text("Hands-free is off").wait_for()
        assert message in sidebar.inner_text()
        assert page.get_by_role("switch", name="Hands-free").is_checked() is False
        wait_until_idle(page)
        assert gone(page)  # the listener, with its microphone stream
        screenshot(page, f"hands-free-{case}")
    finally:
        browser.close()
