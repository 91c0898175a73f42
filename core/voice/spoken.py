"""Voice in and out for the orchestrator.

``listen`` turns a recording into text (decode -> length checks -> voice activity -> Whisper),
timing each stage. ``SpokenReply`` speaks an answer while it is still being written: streamed
text is cut into sentences and a worker thread synthesises each one in order, so the first
sentence can play while the model writes the rest.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol

from errors import AudioError, AudioTooLong, SpeechError
from utils.audio_utils import MIN_SECONDS, decode_audio, duration_s, has_speech
from utils.helpers import SentenceSplitter, speech_text

FIRST_PIECE_WAIT_S = 3.0  # at most, so a stuck voice never holds up the written answer
DIDNT_CATCH = "I didn't catch that: no speech was heard. Try again, a little closer to the microphone."


@dataclass(frozen=True)
class Heard:
    text: str
    duration_s: float
    timings: dict[str, float]


class Transcriber(Protocol):
    def transcribe(self, audio): ...


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> bytes: ...


def listen(data: bytes, stt: Transcriber, max_audio_s: float) -> Heard:
    """Text of a recording; AudioError with a clear message when there is nothing usable."""
    t0 = time.perf_counter()
    audio = decode_audio(data)
    t1 = time.perf_counter()
    seconds = duration_s(audio)
    if seconds > max_audio_s:
        raise AudioTooLong(
            f"The recording is {seconds / 60:.1f} minutes long; the limit is {max_audio_s / 60:.0f} minutes. "
            "Ask a shorter question."
        )
    if seconds < MIN_SECONDS:
        raise AudioError(f"The recording is only {seconds:.1f} s long. Hold the microphone a little longer.")
    if not has_speech(audio):
        raise AudioError(DIDNT_CATCH)
    t2 = time.perf_counter()
    text = stt.transcribe(audio).text.strip()
    t3 = time.perf_counter()
    if not any(ch.isalnum() for ch in text):
        raise AudioError(DIDNT_CATCH)
    return Heard(text, seconds, {"decode_s": t1 - t0, "vad_s": t2 - t1, "stt_s": t3 - t2})


@dataclass
class SpokenPiece:
    index: int
    text: str
    wav: bytes


@dataclass
class SpokenReply:
    """Feed the streamed answer; collect WAV pieces, in order, as they are synthesised."""

    tts: Synthesizer
    started: float = field(default_factory=time.perf_counter)
    first_sentence_s: float | None = None
    first_audio_s: float | None = None
    first_tts_s: float | None = None
    error: SpeechError | None = None

    def __post_init__(self) -> None:
        self._splitter = SentenceSplitter()
        self._todo: queue.Queue[tuple[int, str] | None] = queue.Queue()
        self._done: queue.Queue[SpokenPiece] = queue.Queue()
        self._first_done = threading.Event()  # the first piece is synthesised (or failed)
        self._count = 0
        self._worker = threading.Thread(target=self._work, daemon=True)
        self._worker.start()

    def feed(self, text: str) -> list[SpokenPiece]:
        """Add streamed text; returns the pieces that became ready meanwhile. When the first piece
        is complete, waits (up to FIRST_PIECE_WAIT_S) until it is synthesised: the caller pulls the
        model's tokens, so the model pauses meanwhile and the voice gets the CPU to itself (on two
        cores the two together took twice as long to the first sound). Later pieces never wait:
        the model writes faster than the voice speaks."""
        first = self._count == 0
        for sentence in self._splitter.feed(text):
            self._queue(sentence)
        if first and self._count > 0:
            self._first_done.wait(FIRST_PIECE_WAIT_S)
        return self._ready()

    def finish(self) -> list[SpokenPiece]:
        """The answer is complete: speak what is left and return every remaining piece."""
        for sentence in self._splitter.flush():
            self._queue(sentence)
        self._todo.put(None)
        self._worker.join()
        return self._ready()

    def cancel(self) -> None:
        self._todo.put(None)

    def _queue(self, sentence: str) -> None:
        spoken = speech_text(sentence)
        if not any(ch.isalnum() for ch in spoken):
            return
        if self.first_sentence_s is None:
            self.first_sentence_s = time.perf_counter() - self.started
        self._todo.put((self._count, spoken))
        self._count += 1

    def _ready(self) -> list[SpokenPiece]:
        pieces = []
        while not self._done.empty():
            pieces.append(self._done.get())
        return pieces

    def _work(self) -> None:
        try:
            self._synthesise_pieces()
        finally:
            self._first_done.set()

    def _synthesise_pieces(self) -> None:
        while (item := self._todo.get()) is not None:
            if self.error is not None:
                continue
            index, text = item
            t0 = time.perf_counter()
            try:
                wav = self.tts.synthesize(text)
            except SpeechError as e:
                self.error = e
                self._first_done.set()
                continue
            if self.first_audio_s is None:
                self.first_tts_s = time.perf_counter() - t0
                self.first_audio_s = time.perf_counter() - self.started
            self._done.put(SpokenPiece(index, text, wav))
            self._first_done.set()


def speech_timings(spoken: SpokenReply, first_token_s: float | None, breakdown: dict[str, float]) -> dict:
    """Stage times of a spoken answer; voice_turn_s runs from the end of the question's recording
    (decode + VAD + STT, or the wait for a transcript taken early: core.voice.head_start) to the first
    sentence of the reply being ready to play."""
    out: dict[str, float] = {}
    if first_token_s is not None:
        out["first_token_s"] = first_token_s
    if spoken.first_sentence_s is not None:
        out["first_sentence_s"] = spoken.first_sentence_s
    if spoken.first_tts_s is not None:
        out["tts_s"] = spoken.first_tts_s
    if spoken.first_audio_s is not None:
        listening = sum(breakdown.get(k, 0.0) for k in ("decode_s", "vad_s", "stt_s", "stt_wait_s"))
        out["first_audio_s"] = spoken.first_audio_s
        out["voice_turn_s"] = listening + spoken.first_audio_s
    return out
