"""Speech in and out: the recognisers (loaded once per engine, size and language), the voices,
their warm-up when speech is turned on, and the stored spoken replies."""

from __future__ import annotations

import threading
from pathlib import Path

from config.settings import Settings
from core.options import AskOptions
from core.voice.spoken import Heard, listen
from core.warmup import Warmup
from models.tts_model import PIPER_PREFIX, TTS, Voice, all_voices, create_tts
from models.whisper_model import LANGUAGES, SIZE_LABELS, SIZES, STT, STT_ENGINES, create_stt
from storage.audio_store import AudioStore
from utils.helpers import speech_text

SttChoice = tuple[str, str, str]  # engine, size, language ("" = the setting)
# The choices the voice settings offer, as the engines name them.
__all__ = ["LANGUAGES", "PIPER_PREFIX", "SIZES", "SIZE_LABELS", "STT_ENGINES", "Speech", "SttChoice"]


class Speech:
    """Speech-to-text and text-to-speech with the app's engines and limits."""

    def __init__(self, settings: Settings, audio: AudioStore):
        self.settings = settings
        self.audio = audio
        self._stts: dict[SttChoice, STT] = {}
        self._stt_lock = threading.Lock()  # the warm-up thread and a page may ask at once
        self._warmups: dict[tuple[str, ...], Warmup] = {}

    def stt(self, engine: str = "", size: str = "", language: str = "") -> STT:
        """The speech-to-text engine (loaded once per engine, size and language)."""
        key = (
            engine or self.settings.stt_engine,
            size or self.settings.whisper_size,
            language or self.settings.whisper_language,
        )
        with self._stt_lock:
            if key not in self._stts:
                engine, size, language = key
                self._stts[key] = create_stt(
                    engine, size, self.settings.model_cache_dir, self.settings.threads, language
                )
            return self._stts[key]

    def missing_sizes(self, engine: str) -> dict[str, str]:
        """The Whisper sizes of ``engine`` that are not on this computer, each with how to add it."""
        found = {}
        for size in SIZES:
            how = create_stt(engine, size, self.settings.model_cache_dir, self.settings.threads).missing()
            if how:
                found[size] = how
        return found

    def transcribe(self, data: bytes, engine: str = "", size: str = "", language: str = "") -> Heard:
        """Text of a recording; AudioError / ModelMissing carry a message for the user."""
        return listen(data, self.stt(engine, size, language), self.settings.max_audio_s)

    def tts(self, options: AskOptions | None = None) -> TTS:
        """The synthesiser for the chosen voice (the natural Piper voice by default, where installed)."""
        o = options or AskOptions()
        return create_tts(o.tts_voice or self.settings.tts_voice, o.tts_rate, o.tts_volume)

    @staticmethod
    def voices() -> list[Voice]:
        """Every installed voice, natural ones first."""
        return all_voices()

    def speak(self, text: str, options: AskOptions | None = None) -> bytes:
        """WAV of ``text`` as it would be read aloud (no code, URLs or citation markers)."""
        return self.tts(options).synthesize(speech_text(text))

    def warm_up(self, options: AskOptions, stt_choice: SttChoice = ("", "", "")) -> Warmup:
        """Start loading, in the background, the speech recogniser (engine, size, language) and
        the voice a spoken conversation will use, once per choice: the user has just turned
        speech on, and the first spoken turn should not wait for them."""
        key = (*stt_choice, options.tts_voice)
        if key not in self._warmups:
            self._warmups[key] = Warmup(
                [
                    ("the speech recogniser", lambda: self.stt(*stt_choice).load()),
                    ("the voice", lambda: self.tts(options).synthesize("Ready.")),
                ]
            ).start()
        return self._warmups[key]

    def audio_path(self, name: str) -> Path | None:
        """The stored spoken reply called ``name``, if it is still there."""
        return self.audio.path(name)
