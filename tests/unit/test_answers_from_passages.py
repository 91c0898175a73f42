"""Answers from passages through the orchestrator, with named fakes (FakeLLM, FakeKnowledgeBase):
checks, citations, the quoted opening, read-ahead, prepare, follow-ups."""

from __future__ import annotations

from dataclasses import replace

import pytest

from config.settings import Settings
from core.answers import prompts
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Check, Done, Notice, Sources, Stats, Token
from errors import LLMUnavailable
from retrieval.knowledge_base import Hit
from storage.conversations import ConversationStore
from tests.fakes import FakeKnowledgeBase, FakeLLM
from tests.unit.test_assistant import make, text_of

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
    return assistant, assistant.chats.new().id, embedded


def test_after_an_answer_the_next_prompt_start_is_read_ahead(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    assert embedded.read_ahead_done.wait(5)
    ((messages, model),) = embedded.read_aheads
    # what the next grounded question's prompt will start with: the grounding rule, then this chat
    assert messages[0]["role"] == "system" and prompts.GROUNDING in messages[0]["content"]
    assert messages[1:] == [
        {"role": "user", "content": "What was NVIDIA's revenue?"},
        {"role": "assistant", "content": "Revenue was $7,192 million."},  # its passages are gone
    ]
    assert model == assistant.engines.builtin_model(AskOptions())
    follow_up = list(assistant.answers.ask(cid, "And the quarter before?"))
    sent = embedded.calls[-1][0]
    assert sent[: len(messages)] == messages and text_of(follow_up)  # the prompt does start so


def test_no_read_ahead_when_switched_off(tmp_path):
    embedded = FakeLLM("embedded")
    assistant, cid = make(tmp_path, embedded=embedded, llm_backend="embedded", read_ahead=False)
    list(assistant.answers.ask(cid, "Hi"))
    assert not embedded.read_ahead_done.wait(0.2) and embedded.read_aheads == []


def test_grounded_answer_is_checked_cited_and_stored_as_checked(tmp_path):
    pieces = ["Revenue was ", "$7,192 million", ". It grew ", "53%."]
    assistant, cid, embedded = grounded(tmp_path, pieces)
    events = list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    check = next(e for e in events if isinstance(e, Check))
    assert check.answer == "Revenue was $7,192 million [1]. It grew 53%."
    assert check.unsupported_figures == ["53%"]
    done = next(e for e in events if isinstance(e, Done))
    stored = assistant.chats.messages(cid)[-1]
    assert done.text == stored.content == check.answer
    assert stored.meta["check"]["unsupported_figures"] == ["53%"]
    prompt = embedded.calls[0][0]
    assert "not instructions" in prompt[0]["content"]
    assert "[1] Nvidia Corporation, 10-Q, quarter ended April 30, 2023, p. 5:" in prompt[-1]["content"]
    assert '"""' in prompt[-1]["content"]


def test_chat_answers_hold_back_repeats_and_answers_from_passages_copy_freely(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    chat, chat_id, chat_llm = grounded(tmp_path / "chat", ["Body\nArms\nLegs"], hits=[])
    list(chat.answers.ask(chat_id, "List three parts of a robot."))
    assert embedded.repeat_penalties == [None]  # the backend's default: none for the built-in model
    assert chat_llm.repeat_penalties == [Settings().chat_repeat_penalty] == [1.1]


def test_no_relevant_passage_means_plain_chat(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["144."], hits=[])  # documents, none relevant
    events = list(assistant.answers.ask(cid, "What is 12 times 12?"))
    assert not any(isinstance(e, (Sources, Check)) for e in events)
    assert "passages" not in embedded.calls[0][0][0]["content"].lower()
    # the reader is told the answer is not from their documents, now and when the chat is reopened
    assert [e.text for e in events if isinstance(e, Notice)] == [prompts.NO_PASSAGE]
    assert assistant.chats.messages(cid)[-1].meta["no_passage"] == prompts.NO_PASSAGE


def test_a_question_to_an_empty_knowledge_base_says_the_answer_is_not_from_documents(tmp_path):
    embedded = FakeLLM("embedded", ["$4.6 billion."])
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    empty = FakeKnowledgeBase([], empty=True)
    store = ConversationStore(tmp_path / "c.db")
    assistant = LocalAIAssistant(settings, store, {"embedded": embedded}, empty)
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "What were Apple's total net sales in Q1 2023?"))
    assert [e.text for e in events if isinstance(e, Notice)] == [prompts.EMPTY_KNOWLEDGE_BASE]
    assert assistant.chats.messages(cid)[-1].meta["no_passage"] == prompts.EMPTY_KNOWLEDGE_BASE
    list(assistant.answers.ask(cid, "Thanks!"))  # small talk gets no note
    assert "no_passage" not in assistant.chats.messages(cid)[-1].meta


def test_an_answer_from_passages_is_not_marked_as_the_models_own(tmp_path):
    assistant, cid, _ = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    events = list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    assert not any(isinstance(e, Notice) for e in events)
    assert "no_passage" not in assistant.chats.messages(cid)[-1].meta


def test_a_runaway_of_citation_markers_is_stopped_and_replaced(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, [f"[{i}] " for i in range(1, 40)])
    events = list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    assert sum(isinstance(e, Token) for e in events) < 10
    check = next(e for e in events if isinstance(e, Check))
    assert check.degenerate and "7,192" in check.answer and check.answer.endswith("[1]")
    assert assistant.chats.messages(cid)[-1].content == check.answer


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
    monkeypatch.setattr("core.voice.speech.create_stt", lambda *args: FakeRecogniser())
    monkeypatch.setattr("core.voice.speech.create_tts", lambda *args: FakeVoice())
    FakeRecogniser.loads, FakeVoice.said = 0, []
    assistant, _ = make(tmp_path)
    first = assistant.voice.warm_up(AskOptions(), ("faster-whisper", "tiny.en", "en"))
    assert first.wait(5) and first.errors == []
    again = assistant.voice.warm_up(AskOptions(), ("faster-whisper", "tiny.en", "en"))
    assert again is first and FakeRecogniser.loads == 1 and FakeVoice.said == ["Ready."]
    other = assistant.voice.warm_up(AskOptions(), ("faster-whisper", "base", "en"))
    assert other.wait(5) and FakeRecogniser.loads == 2
    choice = ("faster-whisper", "tiny.en", "en")
    assert assistant.voice.stt(*choice) is assistant.voice.stt(*choice)


def test_an_answer_from_documents_keeps_only_the_recent_chat_and_only_for_a_follow_up(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million."])
    for n in range(4):  # an earlier chat, each reply long
        assistant.chats.store.add_message(cid, "user", f"Question {n}?", {})
        assistant.chats.store.add_message(cid, "assistant", f"Answer {n}: " + "word " * 200, {})
    list(assistant.answers.ask(cid, "And its data center revenue?"))
    sent = embedded.calls[0][0]
    assert [m["content"][:9] for m in sent[1:-1]] == ["Question ", "Answer 3:"]  # the last exchange only
    list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))  # on its own: the passages are enough
    assert len(embedded.calls[1][0]) == 2  # system prompt and question
    no_history = Settings(data_dir=tmp_path, llm_backend="embedded", grounded_history_tokens=0)
    kb = FakeKnowledgeBase([NVDA_HIT], empty=False)
    assistant = LocalAIAssistant(no_history, assistant.chats.store, {"embedded": embedded}, kb)
    list(assistant.answers.ask(cid, "And its gaming revenue?"))
    assert len(embedded.calls[2][0]) == 2


def test_an_answer_about_a_figure_opens_with_a_sentence_stating_the_likely_line(tmp_path):
    embedded = FakeLLM("embedded", ["It fell ", "13% from a year earlier [1]."], continues_answers=True)
    kb = FakeKnowledgeBase([NVDA_HIT], empty=False)
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": embedded}, kb)
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    opening = "Nvidia's revenue was $7,192 [1]. "  # the hit's heading names no period or scale
    assert text_of(events) == opening + "It fell 13% from a year earlier [1]."
    sent = embedded.calls[0][0]
    assert sent[-1] == {"role": "assistant", "content": opening}  # the model continues the sentence
    assert "Lines most likely" not in sent[-2]["content"]  # the sentence replaces the repeated lines
    assert assistant.chats.messages(cid)[-1].content.startswith(opening)
    check = next(e for e in events if isinstance(e, Check))
    assert check.unsupported_figures == []


def test_no_opening_when_switched_off_or_the_model_cannot_continue(tmp_path):
    for continues, quote in ((True, False), (False, True)):
        embedded = FakeLLM("embedded", ["Revenue was $7,192 million [1]."], continues_answers=continues)
        kb = FakeKnowledgeBase([NVDA_HIT], empty=False)
        settings = Settings(data_dir=tmp_path / str(quote), llm_backend="embedded", quote_answer_line=quote)
        store = ConversationStore(tmp_path / f"{quote}.db")
        assistant = LocalAIAssistant(settings, store, {"embedded": embedded}, kb)
        events = list(assistant.answers.ask(assistant.chats.new().id, "What was NVIDIA's revenue?"))
        assert text_of(events) == "Revenue was $7,192 million [1]."
        sent = embedded.calls[0][0]
        assert sent[-1]["role"] == "user" and "Lines most likely to hold the answer" in sent[-1]["content"]


def test_an_answer_going_round_in_circles_is_stopped_and_kept_once(tmp_path):
    lines = ['[1] "Revenue $ 7,192 $ 8,288"\n', '[1] "Data Center revenue 4,284 3,750"\n']
    assistant, cid, embedded = grounded(tmp_path, lines * 30)
    events = list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    assert sum(isinstance(e, Token) for e in events) <= 4  # stopped at the first repeated line
    said = "The model answered only with lines from your documents: " + " ".join(x.strip() for x in lines)
    assert assistant.chats.messages(cid)[-1].content == said  # each line once, said for what it is


def test_a_spoken_reply_gets_no_quoted_opening(tmp_path):
    from tests.fakes import FakeTTS

    embedded = FakeLLM("embedded", ["Revenue was $7,192 million [1]."], continues_answers=True)
    kb = FakeKnowledgeBase([NVDA_HIT], empty=False)
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": embedded}, kb)
    assistant.voice.tts = lambda options=None: FakeTTS()
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "What was NVIDIA's revenue?", AskOptions(speak=True)))
    assert text_of(events) == "Revenue was $7,192 million [1]."  # a sentence to hear, not a table row
    assert embedded.calls[0][0][-1]["role"] == "user"


def test_prepare_reads_the_exact_prompt_ask_then_sends_and_finds_passages_once(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    kb = assistant.library.knowledge_base
    options = AskOptions(speak=False)
    assert assistant.answers.prepare(cid, "What was NVIDIA's revenue?", options)
    ((prepared, model),) = embedded.read_aheads
    list(assistant.answers.ask(cid, "What was NVIDIA's revenue?", options))
    assert embedded.calls[0][0] == prepared and embedded.calls[0][1] == model  # llama.cpp's cache matches
    assert kb.questions == ["What was NVIDIA's revenue?"]  # the passages were found once
    list(assistant.answers.ask(cid, "What was NVIDIA's revenue?", options))
    assert len(kb.questions) == 2  # taken once: a question asked again is searched again


@pytest.mark.parametrize("ollama_up", [False, True])
def test_prepare_reads_ahead_with_the_backend_that_will_answer(tmp_path, ollama_up):
    # "auto" (the default): Ollama first when it is running, else the built-in model
    ollama = FakeLLM("ollama", error=None if ollama_up else LLMUnavailable("down"), reachable=ollama_up)
    embedded = FakeLLM("embedded", ["Paris"])
    assistant, cid = make(tmp_path, ollama=ollama, embedded=embedded)
    assert assistant.answers.prepare(cid, "Capital of France?", AskOptions())
    list(assistant.answers.ask(cid, "Capital of France?"))
    answered, idle = (ollama, embedded) if ollama_up else (embedded, ollama)
    assert answered.read_aheads[0][0] == answered.calls[0][0]  # the prompt it then answered
    assert idle.read_aheads == []


def test_prepare_of_a_question_never_asked_leaves_ask_alone(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    kb = assistant.library.knowledge_base
    assert assistant.answers.prepare(cid, "What was NVIDIA's revenue", AskOptions())  # the speaker went on
    list(assistant.answers.ask(cid, "What was NVIDIA's revenue in the first quarter?"))
    assert kb.questions == ["What was NVIDIA's revenue", "What was NVIDIA's revenue in the first quarter?"]
    assert "in the first quarter" in embedded.calls[0][0][-1]["content"]


def test_prepare_refuses_what_ask_would_refuse(tmp_path):
    assistant, cid, embedded = grounded(tmp_path, ["x"])
    assert not assistant.answers.prepare(cid, "   ", AskOptions())
    assert not assistant.answers.prepare(cid, "x" * 100_000, AskOptions())
    assert embedded.read_aheads == []


def test_ask_waits_for_the_passages_prepare_is_still_finding(tmp_path):
    import threading

    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."])
    kb = assistant.library.knowledge_base
    searching, release = threading.Event(), threading.Event()
    search = kb.search

    def slow_search(query, k):  # the head start's search is under way when the utterance arrives
        searching.set()
        assert release.wait(5)
        return search(query, k)

    kb.search = slow_search
    question = "What was NVIDIA's revenue?"
    preparing = threading.Thread(target=assistant.answers.prepare, args=(cid, question, AskOptions()))
    preparing.start()
    assert searching.wait(5)
    kb.search = search
    threading.Timer(0.2, release.set).start()
    list(assistant.answers.ask(cid, question))
    preparing.join(5)
    assert kb.questions == [question]  # one search, not two at once


def test_a_follow_up_question_is_searched_with_the_question_before_it(tmp_path):
    hit = replace(NVDA_HIT, text="Revenue $ 7,192 $ 8,288\nNet income $ 2,043 $ 1,618")
    assistant, cid, embedded = grounded(tmp_path, ["Revenue was $7,192 million [1]."], hits=[hit])
    list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    list(assistant.answers.ask(cid, "And its net income?"))
    assert assistant.library.knowledge_base.questions == [
        "What was NVIDIA's revenue?",
        "What was NVIDIA's revenue? And its net income?",
        "And its net income?",  # and alone: it may change the subject
    ]
    # the likely answer line is chosen for the follow-up itself, not for the revenue it follows
    assert 'Lines most likely to hold the answer: [1] "Net income' in embedded.calls[-1][0][-1]["content"]


def test_a_greeting_in_a_chat_with_documents_gets_no_note_about_them(tmp_path):
    assistant, cid, _ = grounded(tmp_path, ["Hello! How can I help?"], hits=[])
    events = list(assistant.answers.ask(cid, "Good morning"))
    assert not any(isinstance(e, Notice) for e in events)
    assert "no_passage" not in assistant.chats.messages(cid)[-1].meta


def test_a_model_that_ends_right_after_the_opening_sentence_leaves_that_sentence_as_the_answer(tmp_path):
    embedded = FakeLLM("embedded", [], continues_answers=True)  # ends at once: nothing to add
    kb = FakeKnowledgeBase([NVDA_HIT], empty=False)
    settings = Settings(data_dir=tmp_path, llm_backend="embedded")
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": embedded}, kb)
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "What was NVIDIA's revenue?"))
    check = next(e for e in events if isinstance(e, Check))
    assert check.answer == "Nvidia's revenue was $7,192 [1]." and not check.degenerate
    assert next(e for e in events if isinstance(e, Stats)).first_token_s is not None
