"""The embedded engine frees its model at exit only once what uses it has ended (named fakes)."""

from __future__ import annotations

import threading

from config.settings import Settings
from models import llamacpp_model
from models.llamacpp_model import LlamaCppLLM


class FakeLlama:
    """Stands in for llama_cpp.Llama: records when it is closed."""

    def __init__(self, events: list[str]):
        self.events = events

    def close(self) -> None:
        self.events.append("closed")


def engine_in_use(events: list[str]) -> tuple[LlamaCppLLM, threading.Event, threading.Event]:
    engine = LlamaCppLLM(Settings())
    engine._llama = FakeLlama(events)
    held, release = threading.Event(), threading.Event()

    def read_ahead() -> None:
        with engine._lock:
            held.set()
            release.wait(5)
            events.append("read-ahead ended")

    threading.Thread(target=read_ahead, daemon=True).start()
    held.wait(5)
    return engine, held, release


def test_the_exit_hook_waits_for_a_read_ahead_then_frees_the_model():
    events: list[str] = []
    engine, _, release = engine_in_use(events)
    threading.Timer(0.2, release.set).start()
    llamacpp_model._close_engines()
    assert events == ["read-ahead ended", "closed"] and engine._llama is None


def test_closing_never_hangs_on_a_model_that_stays_in_use():
    events: list[str] = []
    engine, _, release = engine_in_use(events)
    try:
        assert engine.close(wait_s=0.1) is False and events == [] and engine._llama is not None
    finally:
        release.set()
