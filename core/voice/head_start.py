"""A head start on a hands-free question, taken during the end-of-speech pause.

The listener only sends an utterance after the speaker has been silent for the whole pause (about
0.8 s). As soon as that silence begins it sends the words so far; a ``HeadStart`` transcribes them
and then prepares the answer (finds the passages and reads the prompt into the model's cache) in a
background thread. If the pause runs out, the utterance names the head start it repeats and the
answer uses its transcript, and the prompt is already read; if the speaker goes on, the head start
is cancelled and the utterance is transcribed as usual. Pure logic, no Streamlit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from core.voice.spoken import Heard
from errors import AudioError

WAIT_S = 30.0  # at most, for a transcription already under way
KEEP_S = 10.0  # how long what a head start found waits for the answer that uses it
T = TypeVar("T")


class HeadStart:
    """Transcribe, then prepare, in a background thread; ``heard`` waits for the transcript."""

    def __init__(self, nonce: str, transcribe: Callable[[], Heard], prepare: Callable[[str], object]):
        self.nonce = nonce
        self._transcribe = transcribe
        self._prepare = prepare
        self._heard: Heard | None = None
        self._error: Exception | None = None
        self._transcribed = threading.Event()
        self._cancelled = threading.Event()
        self.prepared = threading.Event()  # set when the answer was prepared (or could not be)
        self._thread = threading.Thread(target=self._run, name="head-start", daemon=True)

    def start(self) -> HeadStart:
        self._thread.start()
        return self

    def cancel(self) -> None:
        """The speaker went on: do not prepare an answer to words that were not the question."""
        self._cancelled.set()

    def heard(self, timeout: float = WAIT_S) -> Heard:
        """The transcript (waiting for it if needed); raises what the transcription raised.
        Its timings are those of the transcription, taken early, and ``stt_wait_s``: how long the
        answer waited for it now."""
        waited = time.perf_counter()
        if not self._transcribed.wait(timeout):
            raise AudioError("Transcribing what you said took too long; please say it again.")
        if self._error is not None:
            raise self._error
        assert self._heard is not None
        early = {f"early_{k}": v for k, v in self._heard.timings.items()}
        early["stt_wait_s"] = time.perf_counter() - waited
        return Heard(self._heard.text, self._heard.duration_s, early)

    def _run(self) -> None:
        try:
            self._heard = self._transcribe()
        except Exception as e:  # noqa: BLE001 - handed to whoever takes the transcript
            self._error = e
        finally:
            self._transcribed.set()
        try:
            if self._heard is not None and not self._cancelled.is_set():
                self._prepare(self._heard.text)
        finally:
            self.prepared.set()


class Prepared(Generic[T]):
    """What a head start found for a question (its passages), handed to the answer that follows:
    ``find`` computes and keeps it, ``take`` uses it once (waiting if it is still being found), or
    computes it afresh when there is none. Thread-safe."""

    def __init__(self, keep_s: float = KEEP_S):
        self.keep_s = keep_s
        self._kept: dict[Hashable, tuple[float, T]] = {}
        self._finding: dict[Hashable, threading.Event] = {}
        self._lock = threading.Lock()

    def find(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            finding = self._finding[key] = threading.Event()
        try:
            value = compute()
            with self._lock:
                now = time.monotonic()
                self._kept = {k: v for k, v in self._kept.items() if now - v[0] <= self.keep_s}
                self._kept[key] = (now, value)
            return value
        finally:
            with self._lock:
                self._finding.pop(key, None)
            finding.set()

    def take(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            finding = self._finding.get(key)
        if finding is not None:
            finding.wait(self.keep_s)  # the same work, already under way
        with self._lock:
            kept = self._kept.pop(key, None)
        if kept is not None and time.monotonic() - kept[0] <= self.keep_s:
            return kept[1]
        return compute()
