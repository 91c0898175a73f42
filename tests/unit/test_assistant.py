"""The orchestrator's event stream, with FakeLLM standing in for real engines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config.settings import Settings
from core import prompts
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Check, Done, Error, Notice, Sources, Stats, Token
from errors import LLMStreamError, LLMUnavailable, ModelNotFound
from services.conversations import ConversationStore
from services.knowledge_base import Hit
from tests.fakes import FakeKnowledgeBase, FakeLLM


def make(tmp_path, ollama=None, embedded=None, **overrides):
    settings = Settings(data_dir=tmp_path, **overrides)
    llms = {"ollama": ollama or FakeLLM("ollama"), "embedded": embedded or FakeLLM("embedded")}
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), llms)
    return assistant, assistant.new_conversation().id


def text_of(events):
    return "".join(e.text for e in events if isinstance(e, Token))


def test_streams_tokens_and_stores_both_messages(tmp_path):
    assistant, cid = make(tmp_path)
    events = list(assistant.ask(cid, "  Hi!  "))
    assert text_of(events) == "Hello there."
    stats = next(e for e in events if isinstance(e, Stats))
    assert stats.backend == "ollama" and stats.completion_tokens == 3
    assert stats.first_token_s is not None and stats.total_s >= stats.first_token_s
    stored = assistant.messages(cid)
    assert [(m.role, m.content) for m in stored] == [("user", "Hi!"), ("assistant", "Hello there.")]
    assert stored[1].meta["stats"]["backend"] == "ollama"
    assert assistant.conversation(cid).title == "Hi!"


def test_empty_message_is_ignored(tmp_path):
    assistant, cid = make(tmp_path)
    assert list(assistant.ask(cid, "   \n ")) == []
    assert assistant.messages(cid) == []


def test_too_long_message_is_refused_and_nothing_is_sent(tmp_path):
    ollama = FakeLLM("ollama")
    assistant, cid = make(tmp_path, ollama=ollama, max_message_chars=10)
    events = list(assistant.ask(cid, "x" * 11))
    assert len(events) == 1 and isinstance(events[0], Error)
    assert "11 characters" in events[0].text and "limit is 10" in events[0].text
    assert ollama.calls == [] and assistant.messages(cid) == []


@pytest.mark.parametrize("error", [LLMUnavailable("Ollama is down."), ModelNotFound("No such model.")])
def test_auto_falls_back_to_embedded_with_a_notice(tmp_path, error):
    ollama, embedded = FakeLLM("ollama", error=error), FakeLLM("embedded", ["Paris"])
    assistant, cid = make(tmp_path, ollama=ollama, embedded=embedded)
    events = list(assistant.ask(cid, "Capital of France?"))
    notice = next(e for e in events if isinstance(e, Notice))
    assert str(error) in notice.text and "built-in model" in notice.text
    assert text_of(events) == "Paris"
    assert assistant.messages(cid)[-1].meta["backend"] == "embedded"


def test_the_fall_back_notice_is_given_once_until_the_backend_recovers(tmp_path):
    ollama, embedded = FakeLLM("ollama", ["Up"], error=LLMUnavailable("Ollama is down.")), FakeLLM("embedded")
    assistant, cid = make(tmp_path, ollama=ollama, embedded=embedded)
    notices = lambda events: [e.text for e in events if isinstance(e, Notice)]  # noqa: E731
    assert len(notices(list(assistant.ask(cid, "one")))) == 1
    second = list(assistant.ask(cid, "two"))
    assert notices(second) == [] and text_of(second) == "Hello there."  # still answered, quietly
    ollama.error = None  # Ollama is back and answers
    assert text_of(list(assistant.ask(cid, "three"))) == "Up"
    ollama.error = LLMUnavailable("Ollama is down.")  # and goes down again: said again
    assert len(notices(list(assistant.ask(cid, "four")))) == 1


def test_explicit_ollama_does_not_fall_back(tmp_path):
    embedded = FakeLLM("embedded")
    assistant, cid = make(tmp_path, ollama=FakeLLM("ollama", error=LLMUnavailable("down")), embedded=embedded)
    events = list(assistant.ask(cid, "hi", AskOptions(backend="ollama")))
    assert [type(e) for e in events] == [Error, Done]
    assert events[0].text == "down" and not events[0].partial
    assert embedded.calls == []
    assert [m.role for m in assistant.messages(cid)] == ["user"]


def test_failure_mid_answer_keeps_the_partial_answer_marked_cut_off(tmp_path):
    ollama = FakeLLM("ollama", ["The answer", " is"], error=LLMStreamError("connection broke"), fail_after=2)
    embedded = FakeLLM("embedded")
    assistant, cid = make(tmp_path, ollama=ollama, embedded=embedded)
    events = list(assistant.ask(cid, "question"))
    error = next(e for e in events if isinstance(e, Error))
    assert error.partial and error.text == "connection broke"
    assert events[-1] == Done(events[-1].message_id, "The answer is", cut_off=True)
    last = assistant.messages(cid)[-1]
    assert last.content == "The answer is" and last.meta["cut_off"] is True
    assert embedded.calls == []  # a half-said answer is not silently restarted elsewhere


def test_stopping_the_stream_keeps_what_was_said(tmp_path):
    ollama = FakeLLM("ollama", ["one", " two", " three"])
    assistant, cid = make(tmp_path, ollama=ollama)
    events = assistant.ask(cid, "count")
    assert next(e for e in events if isinstance(e, Token)).text == "one"
    events.close()
    assert ollama.closed
    last = assistant.messages(cid)[-1]
    assert last.content == "one" and last.meta["cut_off_reason"] == "stopped"


def test_history_is_sent_and_trimmed_oldest_first(tmp_path):
    ollama = FakeLLM("ollama", ["ok"], context=60)
    assistant, cid = make(tmp_path, ollama=ollama, max_answer_tokens=20)
    for i in range(6):
        list(assistant.ask(cid, f"question number {i} " + "word " * 5))
    sent, _ = ollama.calls[-1]
    assert sent[0]["role"] == "system"
    assert sent[-1]["content"].startswith("question number 5")
    assert "question number 0" not in " ".join(m["content"] for m in sent)
    assert sent[1]["role"] == "user"


def test_preset_and_custom_system_prompt(tmp_path):
    ollama = FakeLLM("ollama", ["ok"])
    assistant, cid = make(tmp_path, ollama=ollama)
    list(assistant.ask(cid, "a", AskOptions(preset="concise")))
    list(assistant.ask(cid, "b", AskOptions(preset="custom", custom_prompt="Talk like a pirate.")))
    assert "few words" in ollama.calls[0][0][0]["content"]
    assert ollama.calls[1][0][0]["content"] == "Talk like a pirate."


def test_embedded_backend_gets_the_gguf_path(tmp_path):
    embedded = FakeLLM("embedded", ["x"])
    assistant, cid = make(tmp_path, embedded=embedded)
    list(assistant.ask(cid, "hi", AskOptions(backend="embedded", gguf_path="/models/my.gguf")))
    assert embedded.calls[0][1] == "/models/my.gguf"


NVDA_HIT = Hit(
    "2023 Q1 NVDA.pdf",
    5,
    5,
    0.8,
    0.55,
    "Revenue $ 7,192 $ 8,288 (13)%\nData Center revenue 4,284 3,750 14 %",
    "Nvidia Corporation, 10-Q, quarterly period ended April 30, 2023 (2023 Q1 NVDA)",
)


def grounded(tmp_path, pieces, hits=(NVDA_HIT,)):
    embedded = FakeLLM("embedded", pieces)
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    kb = FakeKnowledgeBase(hits, empty=False)
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": embedded}, kb)
    return assistant, assistant.new_conversation().id, embedded


def test_after_an_answer_the_next_prompt_start_is_read_ahead(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    list(assistant.ask(cid, "What was NVIDIA's revenue?"))
    assert embedded.read_ahead_done.wait(5)
    ((messages, model),) = embedded.read_aheads
    # what the next grounded question's prompt will start with: the grounding rule, then this chat
    assert messages[0]["role"] == "system" and prompts.GROUNDING in messages[0]["content"]
    assert messages[1:] == [
        {"role": "user", "content": "What was NVIDIA's revenue?"},
        {"role": "assistant", "content": "Revenue was $7,192 million."},  # its passages are gone
    ]
    assert model == assistant._builtin_model(AskOptions())
    follow_up = list(assistant.ask(cid, "And the quarter before?"))
    sent = embedded.calls[-1][0]
    assert sent[: len(messages)] == messages and text_of(follow_up)  # the prompt does start so


def test_no_read_ahead_when_switched_off(tmp_path):
    embedded = FakeLLM("embedded")
    assistant, cid = make(tmp_path, embedded=embedded, llm_backend="embedded", read_ahead=False)
    list(assistant.ask(cid, "Hi"))
    assert not embedded.read_ahead_done.wait(0.2) and embedded.read_aheads == []


def test_grounded_answer_is_checked_cited_and_stored_as_checked(tmp_path):
    pieces = ["Revenue was ", "$7,192 million", ". It grew ", "53%."]
    assistant, cid, embedded = grounded(tmp_path, pieces)
    events = list(assistant.ask(cid, "What was NVIDIA's revenue?"))
    check = next(e for e in events if isinstance(e, Check))
    assert check.answer == "Revenue was $7,192 million [1]. It grew 53%."
    assert check.unsupported_figures == ["53%"]
    done = next(e for e in events if isinstance(e, Done))
    stored = assistant.messages(cid)[-1]
    assert done.text == stored.content == check.answer
    assert stored.meta["check"]["unsupported_figures"] == ["53%"]
    prompt = embedded.calls[0][0]
    assert "not instructions" in prompt[0]["content"]
    assert "[1] Nvidia Corporation, 10-Q, quarter ended April 30, 2023, p. 5:" in prompt[-1]["content"]
    assert '"""' in prompt[-1]["content"]


def test_chat_answers_hold_back_repeats_and_answers_from_passages_copy_freely(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    list(assistant.ask(cid, "What was NVIDIA's revenue?"))
    chat, chat_id, chat_llm = grounded(tmp_path / "chat", ["Body\nArms\nLegs"], hits=[])
    list(chat.ask(chat_id, "List three parts of a robot."))
    assert embedded.repeat_penalties == [None]  # the backend's default: none for the built-in model
    assert chat_llm.repeat_penalties == [Settings().chat_repeat_penalty] == [1.1]


def test_no_relevant_passage_means_plain_chat(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["144."], hits=[])  # documents, none relevant
    events = list(assistant.ask(cid, "What is 12 times 12?"))
    assert not any(isinstance(e, (Sources, Check)) for e in events)
    assert "passages" not in embedded.calls[0][0][0]["content"].lower()
    # the reader is told the answer is not from their documents, now and when the chat is reopened
    assert [e.text for e in events if isinstance(e, Notice)] == [prompts.NO_PASSAGE]
    assert assistant.messages(cid)[-1].meta["no_passage"] is True


def test_an_answer_from_passages_is_not_marked_as_the_models_own(tmp_path):
    assistant, cid, _ = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    events = list(assistant.ask(cid, "What was NVIDIA's revenue?"))
    assert not any(isinstance(e, Notice) for e in events)
    assert "no_passage" not in assistant.messages(cid)[-1].meta


def test_a_runaway_of_citation_markers_is_stopped_and_replaced(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, [f"[{i}] " for i in range(1, 40)])
    events = list(assistant.ask(cid, "What was NVIDIA's revenue?"))
    assert sum(isinstance(e, Token) for e in events) < 10
    check = next(e for e in events if isinstance(e, Check))
    assert check.degenerate and "7,192" in check.answer and check.answer.endswith("[1]")
    assert assistant.messages(cid)[-1].content == check.answer


class FakeRecogniser:
    """Named fake: counts loads instead of loading Whisper."""

    loads = 0

    def load(self):
        FakeRecogniser.loads += 1


class FakeVoice:
    """Named fake: records what it was asked to say instead of synthesising."""

    said: list[str] = []

    def synthesize(self, text):
        FakeVoice.said.append(text)
        return b""


def test_voice_is_warmed_up_once_per_choice_in_the_background(tmp_path, monkeypatch):
    monkeypatch.setattr("core.assistant.create_stt", lambda *args: FakeRecogniser())
    monkeypatch.setattr("core.assistant.create_tts", lambda *args: FakeVoice())
    FakeRecogniser.loads, FakeVoice.said = 0, []
    assistant, _ = make(tmp_path)
    first = assistant.warm_up_voice(AskOptions(), ("faster-whisper", "tiny.en", "en"))
    assert first.wait(5) and first.errors == []
    again = assistant.warm_up_voice(AskOptions(), ("faster-whisper", "tiny.en", "en"))
    assert again is first and FakeRecogniser.loads == 1 and FakeVoice.said == ["Ready."]
    other = assistant.warm_up_voice(AskOptions(), ("faster-whisper", "base", "en"))
    assert other.wait(5) and FakeRecogniser.loads == 2
    choice = ("faster-whisper", "tiny.en", "en")
    assert assistant.stt(*choice) is assistant.stt(*choice)


def test_an_answer_from_documents_keeps_only_the_recent_chat_and_only_for_a_follow_up(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million."])
    for n in range(4):  # an earlier chat, each reply long
        assistant.store.add_message(cid, "user", f"Question {n}?", {})
        assistant.store.add_message(cid, "assistant", f"Answer {n}: " + "word " * 200, {})
    list(assistant.ask(cid, "And its data center revenue?"))
    sent = embedded.calls[0][0]
    assert [m["content"][:9] for m in sent[1:-1]] == ["Question ", "Answer 3:"]  # the last exchange only
    list(assistant.ask(cid, "What was NVIDIA's revenue?"))  # on its own: the passages are enough
    assert len(embedded.calls[1][0]) == 2  # system prompt and question
    assistant.settings = Settings(data_dir=tmp_path, llm_backend="embedded", grounded_history_tokens=0)
    list(assistant.ask(cid, "And its gaming revenue?"))
    assert len(embedded.calls[2][0]) == 2


def test_an_answer_about_a_figure_opens_with_the_likely_line_for_a_model_that_continues(tmp_path):
    embedded = FakeLLM("embedded", ["Revenue was ", "$7,192 million [1]."], continues_answers=True)
    kb = FakeKnowledgeBase([NVDA_HIT], empty=False)
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": embedded}, kb)
    cid = assistant.new_conversation().id
    events = list(assistant.ask(cid, "What was NVIDIA's revenue?"))
    opening = '[1] "Revenue $ 7,192 $ 8,288 (13)%"\n'
    assert text_of(events) == opening + "Revenue was $7,192 million [1]."
    sent = embedded.calls[0][0]
    assert sent[-1] == {"role": "assistant", "content": opening}  # the model continues the quote
    assert "Lines most likely" not in sent[-2]["content"]  # the quote replaces the repeated lines
    assert assistant.messages(cid)[-1].content.startswith(opening)
    check = next(e for e in events if isinstance(e, Check))
    assert check.unsupported_figures == []


def test_no_opening_when_switched_off_or_the_model_cannot_continue(tmp_path):
    for continues, quote in ((True, False), (False, True)):
        embedded = FakeLLM("embedded", ["Revenue was $7,192 million [1]."], continues_answers=continues)
        kb = FakeKnowledgeBase([NVDA_HIT], empty=False)
        settings = Settings(data_dir=tmp_path / str(quote), llm_backend="embedded", quote_answer_line=quote)
        store = ConversationStore(tmp_path / f"{quote}.db")
        assistant = LocalAIAssistant(settings, store, {"embedded": embedded}, kb)
        events = list(assistant.ask(assistant.new_conversation().id, "What was NVIDIA's revenue?"))
        assert text_of(events) == "Revenue was $7,192 million [1]."
        sent = embedded.calls[0][0]
        assert sent[-1]["role"] == "user" and "Lines most likely to hold the answer" in sent[-1]["content"]


def test_an_answer_going_round_in_circles_is_stopped_and_kept_once(tmp_path):
    lines = ['[1] "Revenue $ 7,192 $ 8,288"\n', '[1] "Data Center revenue 4,284 3,750"\n']
    assistant, cid, embedded = grounded(tmp_path, lines * 30)
    events = list(assistant.ask(cid, "What was NVIDIA's revenue?"))
    assert sum(isinstance(e, Token) for e in events) <= 4  # stopped at the first repeated line
    assert assistant.messages(cid)[-1].content.splitlines() == [line.strip() for line in lines]


def test_a_spoken_reply_gets_no_quoted_opening(tmp_path):
    from tests.fakes import FakeTTS

    embedded = FakeLLM("embedded", ["Revenue was $7,192 million [1]."], continues_answers=True)
    kb = FakeKnowledgeBase([NVDA_HIT], empty=False)
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": embedded}, kb)
    assistant.tts = lambda options=None: FakeTTS()
    cid = assistant.new_conversation().id
    events = list(assistant.ask(cid, "What was NVIDIA's revenue?", AskOptions(speak=True)))
    assert text_of(events) == "Revenue was $7,192 million [1]."  # a sentence to hear, not a table row
    assert embedded.calls[0][0][-1]["role"] == "user"


def test_prepare_reads_the_exact_prompt_ask_then_sends_and_finds_passages_once(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    kb = assistant.knowledge_base
    options = AskOptions(speak=False)
    assert assistant.prepare(cid, "What was NVIDIA's revenue?", options)
    ((prepared, model),) = embedded.read_aheads
    list(assistant.ask(cid, "What was NVIDIA's revenue?", options))
    assert embedded.calls[0][0] == prepared and embedded.calls[0][1] == model  # llama.cpp's cache matches
    assert kb.questions == ["What was NVIDIA's revenue?"]  # the passages were found once
    list(assistant.ask(cid, "What was NVIDIA's revenue?", options))
    assert len(kb.questions) == 2  # taken once: a question asked again is searched again


@pytest.mark.parametrize("ollama_up", [False, True])
def test_prepare_reads_ahead_with_the_backend_that_will_answer(tmp_path, ollama_up):
    # "auto" (the default): Ollama first when it is running, else the built-in model
    ollama = FakeLLM("ollama", error=None if ollama_up else LLMUnavailable("down"), reachable=ollama_up)
    embedded = FakeLLM("embedded", ["Paris"])
    assistant, cid = make(tmp_path, ollama=ollama, embedded=embedded)
    assert assistant.prepare(cid, "Capital of France?", AskOptions())
    list(assistant.ask(cid, "Capital of France?"))
    answered, idle = (ollama, embedded) if ollama_up else (embedded, ollama)
    assert answered.read_aheads[0][0] == answered.calls[0][0]  # the prompt it then answered
    assert idle.read_aheads == []


def test_prepare_of_a_question_never_asked_leaves_ask_alone(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    kb = assistant.knowledge_base
    assert assistant.prepare(cid, "What was NVIDIA's revenue", AskOptions())  # the speaker went on
    list(assistant.ask(cid, "What was NVIDIA's revenue in the first quarter?"))
    assert kb.questions == ["What was NVIDIA's revenue", "What was NVIDIA's revenue in the first quarter?"]
    assert "in the first quarter" in embedded.calls[0][0][-1]["content"]


def test_prepare_refuses_what_ask_would_refuse(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["x"])
    assert not assistant.prepare(cid, "   ", AskOptions())
    assert not assistant.prepare(cid, "x" * 100_000, AskOptions())
    assert embedded.read_aheads == []


def test_ask_waits_for_the_passages_prepare_is_still_finding(tmp_path):
    import threading

    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    kb = assistant.knowledge_base
    searching, release = threading.Event(), threading.Event()
    search = kb.search

    def slow_search(query, k):  # the head start's search is under way when the utterance arrives
        searching.set()
        assert release.wait(5)
        return search(query, k)

    kb.search = slow_search
    question = "What was NVIDIA's revenue?"
    preparing = threading.Thread(target=assistant.prepare, args=(cid, question, AskOptions()))
    preparing.start()
    assert searching.wait(5)
    kb.search = search
    threading.Timer(0.2, release.set).start()
    list(assistant.ask(cid, question))
    preparing.join(5)
    assert kb.questions == [question]  # one search, not two at once


def test_a_follow_up_question_is_searched_with_the_question_before_it(tmp_path):
    hit = replace(NVDA_HIT, text="Revenue $ 7,192 $ 8,288\nNet income $ 2,043 $ 1,618")
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."], hits=[hit])
    list(assistant.ask(cid, "What was NVIDIA's revenue?"))
    list(assistant.ask(cid, "And its net income?"))
    assert assistant.knowledge_base.questions == [
        "What was NVIDIA's revenue?",
        "What was NVIDIA's revenue? And its net income?",
        "And its net income?",  # and alone: it may change the subject
    ]
    # the likely answer line is chosen for the follow-up itself, not for the revenue it follows
    assert 'Lines most likely to hold the answer: [1] "Net income' in embedded.calls[-1][0][-1]["content"]


def test_a_greeting_in_a_chat_with_documents_gets_no_note_about_them(tmp_path):
    assistant, cid, _ = grounded(tmp_path, ["Hello! How can I help?"], hits=[])
    events = list(assistant.ask(cid, "Good morning"))
    assert not any(isinstance(e, Notice) for e in events)
    assert "no_passage" not in assistant.messages(cid)[-1].meta
