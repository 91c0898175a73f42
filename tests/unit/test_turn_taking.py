"""Hands-free turn-taking (core/voice/turn_taking.py): each listener value is acted on once, noise and
monologues are not questions, errors switch hands-free off."""

from __future__ import annotations

import base64

from core.voice.turn_taking import TurnTaking

WAV = b"RIFF....WAVEfmt fake-audio-bytes"


def utterance(seq: int, seconds: float = 2.0, nonce: int | None = None) -> dict:
    return {
        "utterance": base64.b64encode(WAV).decode(),
        "seconds": seconds,
        "seq": seq,
        "nonce": nonce or 1000 + seq,
    }


def test_an_utterance_is_answered_once_even_when_reruns_repeat_it():
    turns = TurnTaking(max_audio_s=300)
    first = turns.receive(utterance(1))
    assert first.kind == "utterance" and first.wav == WAV and first.seq == 1
    assert turns.receive(utterance(1)).kind == "none"  # the same value on the next rerun
    assert turns.receive(utterance(2)).kind == "utterance"


def test_nothing_before_the_listener_has_spoken():
    turns = TurnTaking(max_audio_s=300)
    assert turns.receive(None).kind == "none"
    assert turns.receive({}).kind == "none"
    assert turns.receive("garbage").kind == "none"


def test_a_cough_is_not_a_question_and_a_monologue_is_capped():
    turns = TurnTaking(max_audio_s=300)
    assert turns.receive(utterance(1, seconds=0.2)).kind == "too_short"
    long = turns.receive(utterance(2, seconds=400))
    assert long.kind == "rejected" and "limit is 5 minutes" in long.message and not long.wav


def test_barge_in_and_errors():
    turns = TurnTaking(max_audio_s=300)
    assert turns.receive({"barge_in": 17}).kind == "barge_in"
    assert turns.receive({"barge_in": 17}).kind == "none"
    error = turns.receive({"error": "Microphone permission was denied.", "nonce": 5})
    assert error.kind == "error" and "denied" in error.message


def test_damaged_audio_is_a_message_not_a_crash():
    turns = TurnTaking(max_audio_s=300)
    bad = turns.receive({"utterance": "%%% not base64", "seconds": 2, "seq": 1, "nonce": 9})
    assert bad.kind == "rejected" and "say it again" in bad.message  # listening goes on


def test_the_words_so_far_are_an_early_turn_and_the_utterance_names_them():
    turns = TurnTaking(max_audio_s=300)
    early = turns.receive(
        {"heard_so_far": base64.b64encode(WAV).decode(), "seconds": 1.5, "seq": 1, "nonce": "early-1"}
    )
    assert early.kind == "early" and early.wav == WAV and early.nonce == "early-1" and early.seq == 1
    final = turns.receive({**utterance(1), "head_start": "early-1"})
    assert final.kind == "utterance" and final.head_start == "early-1"
    assert turns.receive({**utterance(2), "head_start": None}).head_start == ""  # the speaker went on


def test_odd_early_words_are_left_to_the_utterance():
    turns = TurnTaking(max_audio_s=300)
    wav = base64.b64encode(WAV).decode()
    assert turns.receive({"heard_so_far": wav, "seconds": 0.1, "nonce": "a"}).kind == "none"
    assert turns.receive({"heard_so_far": wav, "seconds": 900, "nonce": "b"}).kind == "none"
    assert turns.receive({"heard_so_far": "%%%", "seconds": 2, "nonce": "c"}).kind == "none"
