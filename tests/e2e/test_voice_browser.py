"""Chromium with a fake microphone playing real speech (jfk.flac as a 16 kHz WAV)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from tests.conftest import SHARED
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, open_app, screenshot, wait_until_idle

pytestmark = pytest.mark.e2e
MESSAGES = "[data-testid='stChatMessage']"


@pytest.fixture
def mic_page(tmp_path, playwright):
    from utils.audio_utils import decode_audio, wav_bytes

    wav = tmp_path / "question.wav"
    wav.write_bytes(wav_bytes(decode_audio((SHARED / "data" / "audio" / "jfk.flac").read_bytes()), 16000))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={wav}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    context = browser.new_context(permissions=["microphone"], viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    browser.close()


def test_speak_a_question_and_hear_the_answer(app_server, mic_page):
    page = mic_page
    server = app_server(MAX_ANSWER_TOKENS="40")
    open_app(page, server.url)
    page.get_by_text("Speak replies").click()
    wait_until_idle(page)
    page.locator("[data-testid='stChatInputMicButton']").click()
    page.wait_for_timeout(4000)  # record about four seconds of the speech
    page.locator("[data-testid='stChatInputApproveButton']").click()
    page.wait_for_function(f'() => document.querySelectorAll("{MESSAGES}").length >= 2')
    wait_until_idle(page)
    question = page.locator(MESSAGES).first.inner_text()
    assert "fellow Americans" in question  # the transcript is the user's message
    assert len(page.locator(MESSAGES).nth(1).inner_text().split()) > 3  # an answer was written
    player = page.frame_locator("iframe").first.locator("audio#player")
    page.wait_for_function(
        "() => [...document.querySelectorAll('iframe')].some(f => { const a = f.contentDocument && "
        "f.contentDocument.getElementById('player'); "
        "return a && (a.dataset.piece || '').endsWith('/0.wav'); })"
    )
    assert player.evaluate("a => a.src").startswith("blob:")  # fetched once, played from memory
    piece = urljoin(page.url, player.evaluate("a => a.dataset.piece"))
    assert page.request.get(piece).body()[:4] == b"RIFF"  # the first sentence, served as WAV
    screenshot(page, "voice-answer")
    sidebar = page.locator("[data-testid='stSidebar']")  # current in the same run, with no rerun
    assert sidebar.get_by_role("button", name="And so my fellow").count() == 1
    assert "2 messages in this chat" in sidebar.inner_text() and "First token" in sidebar.inner_text()

    page.reload()  # the stored reply keeps a replay control
    page.wait_for_selector("[data-testid='stChatInput'] textarea")
    page.locator("[data-testid='stSidebar']").get_by_role("button", name="And so my fellow").first.click()
    page.wait_for_selector(f"{MESSAGES} audio")
    assert page.locator(f"{MESSAGES} audio").count() == 1


def test_silence_is_not_sent(app_server, tmp_path, playwright):
    import numpy as np

    from utils.audio_utils import wav_bytes

    silent = tmp_path / "silence.wav"
    silent.write_bytes(wav_bytes(np.zeros(16000 * 5, dtype=np.float32), 16000))
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={silent}",
    ]
    server = app_server()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    try:
        page = browser.new_context(permissions=["microphone"]).new_page()
        page.set_default_timeout(60_000)
        open_app(page, server.url)
        page.locator("[data-testid='stChatInputMicButton']").click()
        page.wait_for_timeout(2500)
        page.locator("[data-testid='stChatInputApproveButton']").click()
        page.get_by_text("I didn't catch that").wait_for()
        assert page.locator(MESSAGES).count() == 0
    finally:
        browser.close()


def test_an_attached_audio_file_is_a_question(app_server, page, tmp_path):
    from tests.conftest import SHARED as shared

    server = app_server(MAX_ANSWER_TOKENS="30")
    open_app(page, server.url)
    page.locator("[data-testid='stChatInput'] input[type='file']").set_input_files(
        str(shared / "data" / "audio" / "jfk.flac")
    )
    page.locator("[data-testid='stChatInputSubmitButton']").click()
    page.wait_for_function(f'() => document.querySelectorAll("{MESSAGES}").length >= 2')
    wait_until_idle(page)
    assert "ask not what your country can do for you" in page.locator(MESSAGES).first.inner_text()
