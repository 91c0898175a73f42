"""The orchestrator's event stream, with FakeLLM standing in for real engines."""

from __future__ import annotations

import pytest

from config.settings import Settings
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Done, Error, Notice, Stats, Token
from errors import LLMStreamError, LLMUnavailable, ModelNotFound
from storage.conversations import ConversationStore
from tests.fakes import FakeLLM


def make(tmp_path, ollama=None, embedded=None, **overrides):
    settings = Settings(data_dir=tmp_path, **overrides)
    llms = {"ollama": ollama or FakeLLM("ollama"), "embedded": embedded or FakeLLM("embedded")}
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), llms)
    return assistant, assistant.chats.new().id


def text_of(events):
    return "".join(e.text for e in events if isinstance(e, Token))


def test_streams_tokens_and_stores_both_messages(tmp_path):
    assistant, cid = make(tmp_path)
    events = list(assistant.answers.ask(cid, "  Hi!  "))
    assert text_of(events) == "Hello there."
    stats = next(e for e in events if isinstance(e, Stats))
    assert stats.backend == "ollama" and stats.completion_tokens == 3
    assert stats.first_token_s is not None and stats.total_s >= stats.first_token_s
    stored = assistant.chats.messages(cid)
    assert [(m.role, m.content) for m in stored] == [("user", "Hi!"), ("assistant", "Hello there.")]
    assert stored[1].meta["stats"]["backend"] == "ollama"
    assert assistant.chats.get(cid).title == "Hi!"


def test_empty_message_is_ignored(tmp_path):
    assistant, cid = make(tmp_path)
    assert list(assistant.answers.ask(cid, "   \n ")) == []
    assert assistant.chats.messages(cid) == []


def test_too_long_message_is_refused_and_nothing_is_sent(tmp_path):
    ollama = FakeLLM("ollama")
    assistant, cid = make(tmp_path, ollama=ollama, max_message_chars=10)
    events = list(assistant.answers.ask(cid, "x" * 11))
    assert len(events) == 1 and isinstance(events[0], Error)
    assert "11 characters" in events[0].text and "limit is 10" in events[0].text
    assert ollama.calls == [] and assistant.chats.messages(cid) == []


@pytest.mark.parametrize("error", [LLMUnavailable("Ollama is down."), ModelNotFound("No such model.")])
def test_auto_falls_back_to_embedded_with_a_notice(tmp_path, error):
    ollama, embedded = FakeLLM("ollama", error=error), FakeLLM("embedded", ["Paris"])
    assistant, cid = make(tmp_path, ollama=ollama, embedded=embedded)
    events = list(assistant.answers.ask(cid, "Capital of France?"))
    # the chat's knowledge base ("My documents") is empty: that is said too, then the fall back
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert any(str(error) in text and "built-in model" in text for text in notices)
    assert text_of(events) == "Paris"
    assert assistant.chats.messages(cid)[-1].meta["backend"] == "embedded"


def test_the_fall_back_notice_is_given_once_until_the_backend_recovers(tmp_path):
    ollama, embedded = FakeLLM("ollama", ["Up"], error=LLMUnavailable("Ollama is down.")), FakeLLM("embedded")
    assistant, cid = make(tmp_path, ollama=ollama, embedded=embedded)
    notices = lambda events: [e.text for e in events if isinstance(e, Notice)]  # noqa: E731
    assert len(notices(list(assistant.answers.ask(cid, "one")))) == 1
    second = list(assistant.answers.ask(cid, "two"))
    assert notices(second) == [] and text_of(second) == "Hello there."  # still answered, quietly
    ollama.error = None  # Ollama is back and answers
    assert text_of(list(assistant.answers.ask(cid, "three"))) == "Up"
    ollama.error = LLMUnavailable("Ollama is down.")  # and goes down again: said again
    assert len(notices(list(assistant.answers.ask(cid, "four")))) == 1


def test_explicit_ollama_does_not_fall_back(tmp_path):
    embedded = FakeLLM("embedded")
    assistant, cid = make(tmp_path, ollama=FakeLLM("ollama", error=LLMUnavailable("down")), embedded=embedded)
    events = list(assistant.answers.ask(cid, "hi", AskOptions(backend="ollama")))
    assert [type(e) for e in events] == [Error, Done]
    assert events[0].text == "down" and not events[0].partial
    assert embedded.calls == []
    assert [m.role for m in assistant.chats.messages(cid)] == ["user"]


def test_failure_mid_answer_keeps_the_partial_answer_marked_cut_off(tmp_path):
    ollama = FakeLLM("ollama", ["The answer", " is"], error=LLMStreamError("connection broke"), fail_after=2)
    embedded = FakeLLM("embedded")
    assistant, cid = make(tmp_path, ollama=ollama, embedded=embedded)
    events = list(assistant.answers.ask(cid, "question"))
    error = next(e for e in events if isinstance(e, Error))
    assert error.partial and error.text == "connection broke"
    assert events[-1] == Done(events[-1].message_id, "The answer is", cut_off=True)
    last = assistant.chats.messages(cid)[-1]
    assert last.content == "The answer is" and last.meta["cut_off"] is True
    assert embedded.calls == []  # a half-said answer is not silently restarted elsewhere


def test_stopping_the_stream_keeps_what_was_said(tmp_path):
    ollama = FakeLLM("ollama", ["one", " two", " three"])
    assistant, cid = make(tmp_path, ollama=ollama)
    events = assistant.answers.ask(cid, "count")
    assert next(e for e in events if isinstance(e, Token)).text == "one"
    events.close()
    assert ollama.closed
    last = assistant.chats.messages(cid)[-1]
    assert last.content == "one" and last.meta["cut_off_reason"] == "stopped"


def test_history_is_sent_and_trimmed_oldest_first(tmp_path):
    ollama = FakeLLM("ollama", ["ok"], context=60)
    assistant, cid = make(tmp_path, ollama=ollama, max_answer_tokens=20)
    for i in range(6):
        list(assistant.answers.ask(cid, f"question number {i} " + "word " * 5))
    sent, _ = ollama.calls[-1]
    assert sent[0]["role"] == "system"
    assert sent[-1]["content"].startswith("question number 5")
    assert "question number 0" not in " ".join(m["content"] for m in sent)
    assert sent[1]["role"] == "user"


def test_preset_and_custom_system_prompt(tmp_path):
    ollama = FakeLLM("ollama", ["ok"])
    assistant, cid = make(tmp_path, ollama=ollama)
    list(assistant.answers.ask(cid, "a", AskOptions(preset="concise")))
    list(assistant.answers.ask(cid, "b", AskOptions(preset="custom", custom_prompt="Talk like a pirate.")))
    assert "few words" in ollama.calls[0][0][0]["content"]
    assert ollama.calls[1][0][0]["content"] == "Talk like a pirate."


def test_embedded_backend_gets_the_gguf_path(tmp_path):
    embedded = FakeLLM("embedded", ["x"])
    assistant, cid = make(tmp_path, embedded=embedded)
    list(assistant.answers.ask(cid, "hi", AskOptions(backend="embedded", gguf_path="/models/my.gguf")))
    assert embedded.calls[0][1] == "/models/my.gguf"
