"""Pages -> chunks that keep their file, pages and a stable id.

LangChain's RecursiveCharacterTextSplitter does the splitting, measuring length in the
embedding model's own word pieces: all-MiniLM-L6-v2 reads at most 256 of them and silently
ignores the rest, so every chunk is kept under that limit. Pages are joined first, so a chunk
may run across a page break; its page_start/page_end say where it lies.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass
from typing import Any, Protocol


class TokenCounter(Protocol):
    """What the splitter measures chunks with: the embedding model's own word-piece count
    (retrieval.embeddings.word_pieces.WordPieces is one)."""

    def count(self, text: str) -> int: ...


@dataclass(frozen=True)
class Chunk:
    id: str
    file: str
    page_start: int
    page_end: int
    text: str


_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def document_label(file: str, title: str = "") -> str:
    """A short label saying which document a passage is from: its file name and, when the PDF has a
    real title (not an id like "0001045810-23-000093"), that title too."""
    stem = file.rsplit(".", 1)[0] if file.lower().endswith(".pdf") else file
    title = " ".join(title.split())[:120]
    if sum(ch.isalpha() for ch in title) >= 3 and title.lower() != stem.lower():
        return f"{stem} — {title}"
    return stem


def clean_text(text: str) -> str:
    """Collapse runs of spaces and blank lines; keep single line breaks (tables read better)."""
    text = _SPACES.sub(" ", text.replace("\r", "\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def make_splitter(tokenizer: TokenCounter, chunk_tokens: int, overlap_tokens: int):
    """LangChain's recursive splitter, measuring chunks in the embedding model's word pieces (what
    its ``from_huggingface_tokenizer`` does, without needing a transformers tokenizer)."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        length_function=tokenizer.count,
        chunk_size=chunk_tokens,
        chunk_overlap=overlap_tokens,
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
    )


def chunk_pages(doc_id: str, file: str, pages: list[str], splitter: Any) -> list[Chunk]:
    """Split a document's pages into chunks; ids are stable for the same content and settings."""
    texts = [clean_text(p) for p in pages]
    joined_parts, starts, offset = [], [], 0
    for text in texts:
        starts.append(offset)
        joined_parts.append(text)
        offset += len(text) + 2  # the "\n\n" joining pages
    joined = "\n\n".join(joined_parts)
    chunks: list[Chunk] = []
    cursor = 0
    for i, text in enumerate(splitter.split_text(joined)):
        # Chunks are substrings of ``joined`` in order (overlaps step back a little).
        start = _locate(joined, text, cursor)
        cursor = start + 1
        page_start = bisect.bisect_right(starts, start)
        page_end = bisect.bisect_right(starts, start + max(len(text) - 1, 0))
        digest = hashlib.sha1(f"{doc_id}:{i}:{text}".encode()).hexdigest()[:16]
        chunks.append(Chunk(digest, file, page_start, page_end, text))
    return chunks


def _locate(haystack: str, chunk: str, cursor: int) -> int:
    """Where ``chunk`` starts, searching from a little before ``cursor``; by its head if need be."""
    for probe in (chunk, chunk[:80]):
        found = haystack.find(probe, max(0, cursor - len(chunk)))
        if found >= 0:
            return found
    found = haystack.find(chunk[:80])
    return max(found, cursor)
