"""The core's answer events as JSON: one SSE event each for a stream, or gathered into one reply.
``event_json`` is the one mapping; the chat routes and the OpenAI-compatible ones all read it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core.events import Audio, Check, Computed, Done, Error, Notice, Source, Sources, Stats, Token


def source_json(source: Source) -> dict[str, Any]:
    return {
        "number": source.number,
        "file": source.file,
        "page_start": source.page_start,
        "page_end": source.page_end,
        "pages": source.pages,
        "unit": source.unit,
        "score": round(source.score, 4),
        "label": source.label,
        "text": source.text,
        "excerpt": source.excerpt,
        "ocr": source.ocr,
        "doc_id": source.doc_id,
    }


def stats_json(stats: Stats) -> dict[str, Any]:
    return {**stats.__dict__, "tokens_per_s": round(stats.tokens_per_s, 2)}


def event_json(event: Any) -> tuple[str, dict[str, Any]] | None:
    """The SSE event name and data of a core event (None for one the API does not send)."""
    if isinstance(event, Token):
        return "token", {"text": event.text}
    if isinstance(event, Sources):
        return "sources", {"sources": [source_json(s) for s in event.items]}
    if isinstance(event, Computed):
        return "computed", {"computed": event.items}
    if isinstance(event, Check):
        return "check", {
            "answer": event.answer,
            "unsupported_figures": event.unsupported_figures,
            "citations_added": event.citations_added,
            "degenerate": event.degenerate,
        }
    if isinstance(event, Notice):
        return "notice", {"text": event.text}
    if isinstance(event, Error):
        return "error", {"message": event.text, "partial": event.partial}
    if isinstance(event, Stats):
        return "stats", stats_json(event)
    if isinstance(event, Done):
        return "done", {"message_id": event.message_id, "answer": event.text, "cut_off": event.cut_off}
    if isinstance(event, Audio):
        return None  # the API does not speak answers; POST /v1/speak does
    return None


def sse(name: str, data: dict[str, Any]) -> str:
    """One Server-Sent Event."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@dataclass
class Gathered:
    """A whole answer gathered from its events (the JSON reply of POST /v1/chat)."""

    answer: str = ""
    streamed: list[str] = field(default_factory=list)
    message_id: int | None = None
    cut_off: bool = False
    done: bool = False
    sources: list[dict[str, Any]] = field(default_factory=list)
    computed: list[dict[str, Any]] = field(default_factory=list)
    unsupported_figures: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    stats: dict[str, Any] | None = None
    error: str | None = None

    def add(self, event: Any) -> None:
        """Take in one core event."""
        named = event_json(event)
        if named is not None:
            self.add_named(*named)

    def add_named(self, name: str, data: dict[str, Any]) -> None:
        """Take in one event as ``event_json`` gives it."""
        if name == "token":
            self.streamed.append(data["text"])
        elif name in ("sources", "computed"):
            setattr(self, name, data[name])
        elif name == "check":
            self.unsupported_figures = data["unsupported_figures"]
        elif name == "notice":
            self.notices.append(data["text"])
        elif name == "error":
            self.error = data["message"]
        elif name == "stats":
            self.stats = data
        elif name == "done":
            self.answer, self.message_id = data["answer"], data["message_id"]
            self.cut_off, self.done = data["cut_off"], True

    @property
    def failed(self) -> bool:
        """Nothing was answered: the error is the reply."""
        return self.error is not None and not self.streamed
