"""Warm start: the models load in the background as soon as the app starts (named fakes)."""

from __future__ import annotations

import pytest

from config.settings import Settings
from core.assistant import LocalAIAssistant
from core.warmup import Warmup
from storage.conversations import ConversationStore
from tests.fakes import FakeLLM


class RecordingLLM(FakeLLM):
    """A named fake that records what it was asked to load."""

    def __init__(self, name: str):
        super().__init__(name)
        self.warmed: list[str | None] = []

    def warm_up(self, model: str | None = None) -> None:
        self.warmed.append(model)


def test_steps_run_in_the_background_and_failures_are_kept():
    calls = []
    warmup = Warmup(
        [("a", lambda: calls.append("a")), ("b", lambda: 1 / 0), ("c", lambda: calls.append("c"))]
    )
    assert warmup.start().wait(5)
    assert calls == ["a", "c"] and warmup.errors[0].startswith("b: division by zero")
    assert set(warmup.seconds) == {"a", "b", "c"} and warmup.loading == ""


def test_the_builtin_model_is_loaded_only_when_answers_would_come_from_it(tmp_path, monkeypatch):
    import retrieval.embeddings.embedder

    class FakeEmbedder:  # named fake: the real one is loaded in the integration tests
        def embed(self, texts):
            return None

    monkeypatch.setattr(retrieval.embeddings.embedder, "shared_embedder", lambda: FakeEmbedder())
    for backend, expected in (("embedded", ["better"]), ("ollama", [])):
        llm = RecordingLLM("embedded")
        settings = Settings(data_dir=tmp_path, llm_backend=backend, builtin_model="better")
        assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": llm})
        assert assistant.answers.warm_up_in_background().wait(5)
        assert llm.warmed == expected


def test_what_the_warm_up_loaded_is_left_out_of_full_collections():
    import gc

    loaded = []
    gc.unfreeze()
    try:
        assert Warmup([("a model", lambda: loaded.append({"weights": [1, 2, 3]}))]).start().wait(5)
        assert gc.get_freeze_count() > 0  # Streamlit's collection after every rerun skips them
        assert loaded[0]["weights"] == [1, 2, 3]
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("has_documents", [True, False])
def test_the_warm_up_searches_once_and_reads_the_first_prompts_start(tmp_path, monkeypatch, has_documents):
    import retrieval.embeddings.embedder
    from core.answers import prompts
    from tests.fakes import FakeKnowledgeBase
    from tests.unit.test_answers_from_passages import NVDA_HIT

    class FakeEmbedder:  # named fake: the real one is loaded in the integration tests
        def embed(self, texts):
            return None

    monkeypatch.setattr(retrieval.embeddings.embedder, "shared_embedder", lambda: FakeEmbedder())
    llm, kb = RecordingLLM("embedded"), FakeKnowledgeBase([NVDA_HIT], empty=not has_documents)
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": llm}, kb)
    warmup = assistant.answers.warm_up_in_background()
    assert warmup.wait(5) and warmup.errors == []
    assert kb.questions == (["warm up"] if has_documents else [])  # the indexes are loaded
    ((messages, _),) = llm.read_aheads  # what a first question's prompt starts with
    assert [m["role"] for m in messages] == ["system"]
    assert (prompts.GROUNDING in messages[0]["content"]) == has_documents
    # and a first question with documents then starts with exactly that
    if has_documents:
        list(assistant.answers.ask(assistant.chats.new().id, "What was NVIDIA's revenue?"))
        assert llm.calls[0][0][0] == messages[0]


def test_the_warm_up_and_a_page_opening_the_knowledge_base_at_once_get_the_same_one(tmp_path, monkeypatch):
    import threading
    import time

    import retrieval.knowledge_base

    opened = []

    def slow_open(settings, directory):  # named fake: opening takes a moment, as the real one does
        time.sleep(0.05)
        opened.append(directory)
        return object()

    monkeypatch.setattr(retrieval.knowledge_base, "open_knowledge_base", slow_open)
    assistant = LocalAIAssistant(Settings(data_dir=tmp_path), ConversationStore(tmp_path / "c.db"), {})
    got = []
    threads = [
        threading.Thread(target=lambda: got.append(assistant.library.knowledge_base_for("default")))
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(opened) == 1 and got[0] is got[1] is got[2]
