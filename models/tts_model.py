"""Text-to-speech with pyttsx3 (espeak-ng on Linux) to WAV bytes.

A new pyttsx3 engine is created for every synthesis and used in one thread under a lock: an
engine kept across Streamlit reruns or threads breaks ("run loop already started").
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
from dataclasses import dataclass

from errors import SpeechError

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Voice:
    id: str
    name: str


class Pyttsx3TTS:
    name = "pyttsx3"

    def __init__(self, rate: int = 175, volume: float = 0.9, voice: str = ""):
        self.rate = rate
        self.volume = volume
        self.voice = voice

    def _engine(self):
        try:
            import pyttsx3

            return pyttsx3.init()
        except Exception as e:  # noqa: BLE001 - a missing espeak-ng shows up as several error types
            raise SpeechError(
                "Text-to-speech is not available: espeak-ng is missing. Install it (./run.sh app does) "
                "and restart. Your answers still appear as text."
            ) from e

    def voices(self) -> list[Voice]:
        with _LOCK:
            engine = self._engine()
            try:
                return [Voice(v.id, v.name) for v in engine.getProperty("voices")]
            finally:
                engine.stop()

    def synthesize(self, text: str) -> bytes:
        """WAV bytes of ``text`` spoken (22,050 Hz mono, 16-bit with espeak-ng)."""
        text = text.strip()
        if not text:
            raise SpeechError("There is nothing to say.")
        with _LOCK, tempfile.TemporaryDirectory(prefix="tts-") as tmp:
            path = os.path.join(tmp, "speech.wav")
            engine = self._engine()
            try:
                engine.setProperty("rate", self.rate)
                engine.setProperty("volume", self.volume)
                if self.voice:
                    engine.setProperty("voice", self.voice)
                engine.save_to_file(text, path)
                with contextlib.redirect_stdout(io.StringIO()):  # the espeak driver prints "Audio saved"
                    engine.runAndWait()
            except Exception as e:  # noqa: BLE001
                raise SpeechError(f"Text-to-speech failed ({e}). Your answer is still shown as text.") from e
            finally:
                engine.stop()
            if not os.path.exists(path) or os.path.getsize(path) <= 44:
                raise SpeechError("Text-to-speech produced no audio. Your answer is still shown as text.")
            with open(path, "rb") as f:
                return f.read()
