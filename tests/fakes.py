"""Named test fakes. None of these is used by the app; they stand in for engines in unit tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

from models.llm_base import LLM, GenerationStats, Health, Message


class FakeLLM(LLM):
    """A scripted LLM: yields the queued pieces, optionally raising after ``fail_after`` pieces.
    ``continues_answers``: it says it continues a final assistant message (as the built-in engine
    does); it yields the same pieces either way. ``reachable``: what its health check says."""

    def __init__(
        self,
        name: str = "fake",
        pieces: list[str] | None = None,
        *,
        error: Exception | None = None,
        fail_after: int = 0,
        context: int = 4096,
        delay: float = 0.0,
        continues_answers: bool = False,
        reachable: bool = True,
    ):
        self.name = name
        self.reachable = reachable
        self.continues_answers = continues_answers
        self.pieces = pieces if pieces is not None else ["Hello", " there", "."]
        self.error = error
        self.fail_after = fail_after
        self.context = context
        self.delay = delay
        self.calls: list[tuple[list[Message], str | None]] = []
        self.read_aheads: list[tuple[list[Message], str | None]] = []
        self.repeat_penalties: list[float | None] = []
        self.read_ahead_done = threading.Event()
        self.closed = False

    def stream(
        self,
        messages: list[Message],
        *,
        model: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.3,
        stats: GenerationStats | None = None,
        repeat_penalty: float | None = None,
    ) -> Iterator[str]:
        self.calls.append((messages, model))
        self.repeat_penalties.append(repeat_penalty)
        if stats is not None:
            stats.model = model or "fake-model"
        try:
            for i, piece in enumerate(self.pieces):
                if self.error is not None and i == self.fail_after:
                    raise self.error
                if self.delay:
                    time.sleep(self.delay)
                yield piece
            if self.error is not None and self.fail_after >= len(self.pieces):
                raise self.error
        finally:
            self.closed = True

    def read_ahead(self, messages: list[Message], model: str | None = None) -> bool:
        self.read_aheads.append((messages, model))
        self.read_ahead_done.set()
        return True

    def models(self) -> list[str]:
        return ["fake-model"]

    def health(self) -> Health:
        return Health(self.reachable, "fake" if self.reachable else "fake, not reachable")

    def context_tokens(self) -> int:
        return self.context

    def count_tokens(self, text: str) -> int:
        return len(text.split())


class FakeEmbedder:
    """Deterministic bag-of-words vectors (hashed words), normalised; no neural model is run.

    Texts that share words get similar vectors, which is enough to test storage and ranking logic.
    ``tokenizer`` is the real MiniLM word-piece tokenizer (a small file from the packaged model),
    so chunk sizes are measured as in the app.
    """

    dims = 384

    def __init__(self) -> None:
        import numpy as np

        from retrieval.embeddings.embedder import MAX_TOKENS, Embedder
        from retrieval.embeddings.word_pieces import WordPieces

        self._np = np
        self.tokenizer = WordPieces(Embedder.model_path(), MAX_TOKENS)
        self.calls = 0

    def embed(self, texts, progress=None):
        np = self._np
        self.calls += 1
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                word = "".join(ch for ch in word if ch.isalnum())
                if word:
                    out[i, sum(map(ord, word)) * 7919 % self.dims] += 1.0
            norm = np.linalg.norm(out[i])
            out[i] = out[i] / norm if norm else out[i]
            if progress:
                progress(i + 1, len(texts))
        return out

    def embed_query(self, text):
        return self.embed([text])[0]


class FakeTTS:
    """Stands in for pyttsx3: returns a tiny valid WAV per sentence and records what it was asked."""

    def __init__(self, fail: bool = False):
        self.said: list[str] = []
        self.fail = fail

    def synthesize(self, text: str) -> bytes:
        import numpy as np

        from errors import SpeechError
        from utils.audio_utils import wav_bytes

        if self.fail:
            raise SpeechError("Text-to-speech is not available: espeak-ng is missing.")
        self.said.append(text)
        return wav_bytes(np.zeros(2205, dtype=np.float32), 22050)


class FakeSTT:
    """Stands in for Whisper: returns a fixed transcript for any audio."""

    def __init__(self, text: str = "what is the capital of france"):
        self.text = text
        self.calls = 0

    def transcribe(self, audio):
        from models.whisper_model import Transcript

        self.calls += 1
        return Transcript(self.text, "en", audio.shape[0] / 16000)


class FakeKnowledgeBase:
    """Stands in for the knowledge base: returns the hits it was given for any question."""

    def __init__(self, hits=None, empty: bool | None = None):
        self.hits = list(hits or [])
        self.empty = not self.hits if empty is None else empty
        self.questions: list[str] = []
        self._embedder = FakeEmbedder()

    def is_empty(self) -> bool:
        return self.empty

    def search(self, query: str, k: int):
        self.questions.append(query)
        return self.hits

    def embed(self, texts):
        return self._embedder.embed(texts)

    def page_passages(self, doc_id: str, page: int):
        """The given hits on that page (the real one reads every passage of the page)."""
        return [h for h in self.hits if h.doc_id == doc_id and h.page_start <= page <= h.page_end]

    def documents(self):
        return []

    def delete_document(self, doc_id: str) -> None:
        pass

    def reindex(self) -> int:
        return 0

    def rechunk(self, doc_id: str, progress=None) -> int | None:
        return None

    def replace_document(self, doc_id: str, document) -> None:
        return None

    def pages(self, doc_id: str, first: int = 1, count: int | None = None) -> list[tuple[int, str]]:
        return []
