"""Hands-free turn-taking: what to do with each message from the browser's listener.

The listener (ui/hands_free) sends one JSON value at a time: an utterance (16 kHz WAV, base64, its
length and a nonce), the words so far when the speaker falls silent (an early utterance, for a head
start on the answer during the end-of-speech pause: core.voice.head_start), a barge-in (the user
started talking over the reply) or an error (no microphone, permission denied, microphone
unplugged). Streamlit keeps a component's last value across reruns, so each value carries a nonce
and is handled once. Pure logic, no Streamlit.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

MIN_SPEECH_S = 0.4  # shorter sounds (a cough, a door, a click) are not questions


@dataclass(frozen=True)
class Turn:
    """One thing the listener asked for."""

    # "none" | "utterance" | "early" | "barge_in" | "too_short" | "rejected" (with a message) | "error"
    kind: str
    wav: bytes = b""
    message: str = ""
    seq: int = 0  # the listener's utterance number
    nonce: str = ""
    head_start: str = ""  # an utterance: the nonce of the early utterance it repeats (silence added)


NOTHING = Turn("none")


class TurnTaking:
    """Reads listener values once each; ``receive`` returns the turn to act on."""

    def __init__(self, max_audio_s: float, min_speech_s: float = MIN_SPEECH_S):
        self.max_audio_s = max_audio_s
        self.min_speech_s = min_speech_s
        self.handled: set[str] = set()

    def receive(self, value: Any) -> Turn:
        if not isinstance(value, dict):
            return NOTHING
        nonce = str(value.get("nonce") or value.get("barge_in") or "")
        if not nonce or nonce in self.handled:
            return NOTHING  # the same value again, on a rerun
        self.handled.add(nonce)
        if "error" in value:
            return Turn("error", message=str(value["error"])[:500])
        if "barge_in" in value:
            return Turn("barge_in")
        if "heard_so_far" in value:
            return self._early(value, nonce)
        if "utterance" not in value:
            return NOTHING
        seconds = float(value.get("seconds") or 0.0)
        seq = int(value.get("seq") or 0)
        if seconds < self.min_speech_s:
            return Turn("too_short", seq=seq)
        if seconds > self.max_audio_s:
            return Turn(
                "rejected",
                seq=seq,
                message=f"That was {seconds / 60:.1f} minutes of speech; the limit is "
                f"{self.max_audio_s / 60:.0f} minutes. Ask in shorter parts.",
            )
        wav = _wav(value["utterance"])
        if wav is None:
            return Turn("rejected", message="The recording arrived damaged; please say it again.", seq=seq)
        return Turn("utterance", wav=wav, seq=seq, nonce=nonce, head_start=str(value.get("head_start") or ""))

    def _early(self, value: dict, nonce: str) -> Turn:
        """The words so far, for a head start: only a usable recording; anything odd is left to the
        utterance that follows."""
        seconds = float(value.get("seconds") or 0.0)
        if not self.min_speech_s <= seconds <= self.max_audio_s:
            return NOTHING
        wav = _wav(value["heard_so_far"])
        if wav is None:
            return NOTHING
        return Turn("early", wav=wav, seq=int(value.get("seq") or 0), nonce=nonce)


def _wav(encoded: Any) -> bytes | None:
    """The recording's bytes, or None when the base64 text arrived damaged."""
    try:
        return base64.b64decode(str(encoded), validate=True)
    except (binascii.Error, ValueError):
        return None
