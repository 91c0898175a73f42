"""A real uvicorn server on a free 127.0.0.1 port, in a thread of the test process, serving the
API on an assistant the test built (with named fakes for the engines)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from config.settings import Settings
from core.assistant import LocalAIAssistant
from entries.api import create_app
from retrieval.knowledge_base import Hit
from storage.conversations import ConversationStore
from tests.fakes import FakeKnowledgeBase, FakeLLM

NVDA_HIT = Hit(
    "2023 Q1 NVDA.pdf",
    5,
    5,
    0.8,
    0.55,
    "Revenue $ 7,192 $ 8,288 (13)%\nData Center revenue 4,284 3,750 14 %",
    "Nvidia Corporation, 10-Q, quarterly period ended April 30, 2023 (2023 Q1 NVDA)",
)


class EchoLLM(FakeLLM):
    """A FakeLLM that answers "You said: <the question>" word by word, so that answers to
    different questions can be told apart (nothing is shared between two streams)."""

    def stream(self, messages, *, model=None, stats=None, **kwargs):
        self.calls.append((messages, model))
        if stats is not None:
            stats.model = model or "echo"
        question = str(messages[-1]["content"])
        for piece in ["You said:"] + [" " + w for w in question.split()]:
            if self.delay:
                time.sleep(self.delay)
            yield piece


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ErrorLog(logging.Handler):
    """Every record at ERROR or above that the server logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class LiveServer:
    """``with LiveServer(app) as server:`` serves at ``server.url`` until the block ends."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.errors = ErrorLog()

    def __enter__(self) -> LiveServer:
        for name in ("uvicorn.error", "entries.api"):
            logging.getLogger(name).addHandler(self.errors)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the API server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(15)
        for name in ("uvicorn.error", "entries.api"):
            logging.getLogger(name).removeHandler(self.errors)


def build(tmp_path, *, ollama=None, embedded=None, hits=(NVDA_HIT,), **overrides) -> LocalAIAssistant:
    """An assistant on fakes: "My documents" is a FakeKnowledgeBase holding ``hits``; other
    knowledge bases are real ones (with FakeEmbedder, patched in by the fixture)."""
    settings = Settings(data_dir=tmp_path, **{"llm_backend": "embedded", "read_ahead": False, **overrides})
    llms = {
        "embedded": embedded or FakeLLM("embedded", ["Revenue was ", "$7,192 million", ". It grew ", "53%."]),
        "ollama": ollama or FakeLLM("ollama", reachable=False),
    }
    kb = FakeKnowledgeBase(list(hits), empty=not hits)
    return LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), llms, kb)


def serve(assistant: LocalAIAssistant, require_keys: bool = False) -> LiveServer:
    return LiveServer(create_app(assistant, require_keys=require_keys))
