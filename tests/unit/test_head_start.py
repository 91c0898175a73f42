"""The hands-free head start (core/voice/head_start.py), with named fake transcribe/prepare steps."""

from __future__ import annotations

import threading
import time

import pytest

from core.voice.head_start import HeadStart
from core.voice.spoken import Heard
from errors import AudioError


def fake_transcript(text="What was Intel's revenue?", gate: threading.Event | None = None):
    def transcribe() -> Heard:
        if gate is not None:
            assert gate.wait(5)
        return Heard(text, 1.8, {"decode_s": 0.01, "vad_s": 0.02, "stt_s": 0.3})

    return transcribe


def test_the_transcript_is_taken_early_and_the_answer_prepared_from_it():
    prepared: list[str] = []
    start = HeadStart("early-1", fake_transcript(), prepared.append).start()
    heard = start.heard()
    assert heard.text == "What was Intel's revenue?" and heard.duration_s == 1.8
    # the stages ran before the utterance arrived; the answer only waited stt_wait_s for them
    assert heard.timings["early_stt_s"] == 0.3 and "stt_s" not in heard.timings
    assert 0 <= heard.timings["stt_wait_s"] < 1
    assert start.prepared.wait(5) and prepared == ["What was Intel's revenue?"]


def test_a_cancelled_head_start_prepares_nothing():
    gate, prepared = threading.Event(), []
    start = HeadStart("early-1", fake_transcript(gate=gate), prepared.append).start()
    start.cancel()  # the speaker went on while the words so far were being transcribed
    gate.set()
    assert start.prepared.wait(5) and prepared == []


def test_a_failed_transcription_is_raised_to_whoever_takes_it():
    def no_speech() -> Heard:
        raise AudioError("I didn't catch that.")

    prepared: list[str] = []
    start = HeadStart("early-1", no_speech, prepared.append).start()
    with pytest.raises(AudioError, match="didn't catch"):
        start.heard()
    assert start.prepared.wait(5) and prepared == []


def test_a_transcription_that_never_ends_is_a_message():
    gate = threading.Event()
    start = HeadStart("early-1", fake_transcript(gate=gate), lambda q: None).start()
    with pytest.raises(AudioError, match="took too long"):
        start.heard(timeout=0.05)
    gate.set()


def test_prepared_passages_are_used_once_and_not_when_stale():
    from core.voice.head_start import Prepared

    computed: list[str] = []

    def compute(label):
        return lambda: computed.append(label) or label

    prepared = Prepared(keep_s=60)
    assert prepared.find("q", compute("early")) == "early"
    assert prepared.take("q", compute("again")) == "early"  # found by the head start
    assert prepared.take("q", compute("again")) == "again"  # taken once
    stale = Prepared(keep_s=0.0)
    stale.find("q", compute("early"))
    time.sleep(0.01)
    assert stale.take("q", compute("fresh")) == "fresh"  # too old: found afresh
    assert computed == ["early", "again", "early", "fresh"]
