"""The embedding model's own word-piece tokenizer, read from its tokenizer.json with the
``tokenizers`` library (what transformers' fast tokenizer wraps), without importing transformers:
transformers imports torch, which the ONNX engines do not need (measured: 173 MiB more resident
with every model loaded, 1.6 s more to load the embedder, many more objects for the garbage
collector to walk). The same tokens and the same padded batches as ``AutoTokenizer``
(tests/integration/test_word_pieces.py compares them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class WordPieces:
    """Count a text's word pieces (for the chunk splitter) and tokenise batches for the network."""

    def __init__(self, model_path: str | Path, max_tokens: int):
        from tokenizers import Tokenizer

        path = str(Path(model_path) / "tokenizer.json")
        # tokenizer.json sets truncation and padding to 128; transformers overrides both per call.
        self._counting = Tokenizer.from_file(path)
        self._counting.no_truncation()
        self._counting.no_padding()
        self._batching = Tokenizer.from_file(path)
        self._batching.enable_truncation(max_tokens)
        pad = self._batching.padding or {}
        self._batching.enable_padding(pad_id=pad.get("pad_id", 0), pad_token=pad.get("pad_token", "[PAD]"))

    def tokenize(self, text: str) -> list[str]:
        """The word pieces of ``text``, without [CLS] and [SEP] (as ``AutoTokenizer.tokenize``)."""
        return self._counting.encode(text, add_special_tokens=False).tokens

    def count(self, text: str) -> int:
        return len(self.tokenize(text))

    def batch(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Token ids, type ids and attention mask, padded to the longest text, truncated to
        ``max_tokens`` (as ``AutoTokenizer(texts, padding=True, truncation=True, ...)``)."""
        encodings = self._batching.encode_batch(texts)
        return {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        }
