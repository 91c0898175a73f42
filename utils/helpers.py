"""Text helpers for speech: what to read aloud, and cutting a token stream into sentences."""

from __future__ import annotations

import os
import re
from pathlib import Path

_CODE_BLOCK = re.compile(r"```.*?(```|$)", re.S)
_INLINE_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_URL = re.compile(r"(https?://|www\.)\S+")
_CITATION = re.compile(r"\s*\[\d+(?:\s*[,\-–]\s*\d+)*\]")
_EMPHASIS = re.compile(r"[*_~]+")
_MARKUP = re.compile(r"(^|\s)#{1,6}\s|[>|]+|^\s*[-+]\s+", re.M)
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,!?;:])")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+(?=[A-Z0-9\"'(\[])|\n\s*\n")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+(?=[^\d\s])")  # not inside "May 31, 2020" or "1, 2 and 3"


def speech_text(markdown: str) -> str:
    """What to say for a Markdown reply: no code, URLs, citation markers like [1] or markup."""
    text = _CODE_BLOCK.sub(" ", markdown)
    text = _INLINE_CODE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _CITATION.sub("", text)
    text = _EMPHASIS.sub("", text)
    text = _MARKUP.sub(" ", text)
    text = _SPACE.sub(" ", text)
    return _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip()


class SentenceSplitter:
    """Feed streamed text; get back each sentence as soon as it is complete.

    The very first piece may be a short sentence ("Sure!", "Yes.", from ``first_min_chars``) or end
    at a clause (",", ";", ":") once it has ``first_clause_words`` words, so speech can start
    before a long first sentence is finished.
    """

    def __init__(self, min_chars: int = 12, first_clause_words: int = 3, first_min_chars: int = 4):
        self._buffer = ""
        self._min_chars = min_chars
        self._first_clause_words = first_clause_words
        self._first_min_chars = first_min_chars
        self._emitted = 0

    def _next_break(self) -> re.Match | None:
        min_chars = self._first_min_chars if self._emitted == 0 else self._min_chars
        match = next((m for m in _SENTENCE_END.finditer(self._buffer) if m.start() >= min_chars), None)
        if match is None and self._emitted == 0 and self._first_clause_words:
            match = next(
                (
                    m
                    for m in _CLAUSE_END.finditer(self._buffer)
                    if len(self._buffer[: m.start()].split()) >= self._first_clause_words
                ),
                None,
            )
        return match

    def feed(self, piece: str) -> list[str]:
        self._buffer += piece
        sentences = []
        while True:
            match = self._next_break()
            if match is None:
                break
            sentences.append(self._buffer[: match.start()].strip())
            self._buffer = self._buffer[match.end() :]
            self._emitted += 1
        return [s for s in sentences if s]

    def flush(self) -> list[str]:
        rest, self._buffer = self._buffer.strip(), ""
        return [rest] if rest else []


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one, never a part
    (temp file in the same folder, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
