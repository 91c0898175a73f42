"""Speech through a real server: an audio file to text and text to a WAV, with the app's limits
(FakeSTT and FakeTTS stand in for Whisper and the voices; decoding and the checks are real)."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest

from tests.api.test_api_resources import error_of
from tests.conftest import SHARED
from tests.fakes import FakeSTT, FakeTTS
from utils.audio_utils import wav_bytes

JFK = (SHARED / "data" / "audio" / "jfk.flac").read_bytes()  # 11 s of speech


@pytest.fixture
def engines(monkeypatch):
    import core.voice.speech as speech

    stt, tts = FakeSTT("and so my fellow americans"), FakeTTS()
    monkeypatch.setattr(speech, "create_stt", lambda *args, **kwargs: stt)
    monkeypatch.setattr(speech, "create_tts", lambda *args, **kwargs: tts)
    return stt, tts


def test_transcribe_an_audio_file(live, engines):
    _, _, client = live()
    r = client.post("/v1/transcribe", files={"file": ("jfk.flac", JFK, "audio/flac")})
    assert r.status_code == 200, r.text
    assert r.json()["text"] == "and so my fellow americans"
    assert r.json()["duration_s"] == pytest.approx(11.0, abs=0.1)


def test_transcribe_refuses_long_silent_and_broken_audio(live, engines):
    stt, _ = engines
    _, _, client = live(max_audio_s=5)
    assert "limit is 0 minutes" in error_of(
        client.post("/v1/transcribe", files={"file": ("a.flac", JFK)}), 413
    )
    silence = wav_bytes(np.zeros(16000 * 3, dtype=np.float32), 16000)
    assert "didn't catch that" in error_of(
        client.post("/v1/transcribe", files={"file": ("s.wav", silence)}), 422
    )
    broken = b"RIFF\x00\x00garbage" * 10
    assert "damaged" in error_of(client.post("/v1/transcribe", files={"file": ("b.wav", broken)}), 422)
    assert error_of(client.post("/v1/transcribe"), 422)  # no file
    assert stt.calls == 0


def test_speak_gives_a_wav(live, engines):
    _, tts = engines
    _, _, client = live(max_message_chars=100)
    r = client.post("/v1/speak", json={"text": "Revenue was $7,192 million [1]."})
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content)) as w:
        assert w.getnframes() > 0
    assert tts.said and "[1]" not in tts.said[-1]  # read as the app reads it: no citation markers
    assert "limit is 100" in error_of(client.post("/v1/speak", json={"text": "x" * 101}), 413)
    assert error_of(client.post("/v1/speak", json={"text": " "}), 422)


def test_speech_that_cannot_be_made_is_a_clear_503(live, monkeypatch):
    import core.voice.speech as speech

    monkeypatch.setattr(speech, "create_tts", lambda *args, **kwargs: FakeTTS(fail=True))
    _, _, client = live()
    assert "espeak-ng is missing" in error_of(client.post("/v1/speak", json={"text": "Hello"}), 503)
