"""Chat through a real server: the whole answer as JSON, the same events as Server-Sent Events,
limits, unknown chats and knowledge bases, a backend that is down, a client that goes away."""

from __future__ import annotations

import time

from errors import LLMUnavailable
from tests.api.sse import events
from tests.api.test_api_resources import error_of
from tests.fakes import FakeLLM

QUESTION = "What was NVIDIA's revenue?"
CHECKED = "Revenue was $7,192 million [1]. It grew 53%."


def test_the_whole_answer_with_sources_checks_and_stats(live):
    _, assistant, client = live()
    r = client.post("/v1/chat", json={"message": QUESTION})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["answer"] == CHECKED and not answer["cut_off"] and answer["error"] is None
    (source,) = answer["sources"]
    assert (source["number"], source["file"], source["pages"], source["score"]) == (
        1,
        "2023 Q1 NVDA.pdf",
        "p. 5",
        0.8,
    )
    assert answer["unsupported_figures"] == ["53%"]
    assert answer["stats"]["backend"] == "embedded" and answer["stats"]["completion_tokens"] == 4
    stored = assistant.chats.messages(answer["conversation_id"])
    assert [m.content for m in stored] == [QUESTION, CHECKED] and stored[1].id == answer["message_id"]


def test_a_follow_up_in_the_same_conversation(live):
    _, assistant, client = live()
    cid = client.post("/v1/chat", json={"message": QUESTION}).json()["conversation_id"]
    second = client.post(
        "/v1/chat", json={"message": "And data center revenue?", "conversation_id": cid}
    ).json()
    assert second["conversation_id"] == cid
    assert [m.role for m in assistant.chats.messages(cid)] == ["user", "assistant", "user", "assistant"]


def test_the_stream_sends_the_events_the_page_renders(live):
    _, assistant, client = live()
    with client.stream("POST", "/v1/chat/stream", json={"message": QUESTION}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        received = list(events(r))
    names = [name for name, _ in received]
    assert names[:2] == ["conversation", "sources"] and names[-3:] == ["check", "stats", "done"]
    assert set(names[2:-3]) == {"token"}
    streamed = "".join(data["text"] for name, data in received if name == "token")
    assert streamed == "Revenue was $7,192 million. It grew 53%."
    check = dict(received)["check"]
    assert (
        check["answer"] == CHECKED
        and check["unsupported_figures"] == ["53%"]
        and check["citations_added"] == 1
    )
    done = dict(received)["done"]
    assert done["answer"] == CHECKED and done["cut_off"] is False
    cid = dict(received)["conversation"]["conversation_id"]
    assert assistant.chats.messages(cid)[-1].content == CHECKED


def test_a_message_over_the_limit_is_413_and_nothing_is_stored(live):
    _, assistant, client = live(max_message_chars=10)
    message = error_of(client.post("/v1/chat", json={"message": "x" * 11}), 413)
    assert "11 characters" in message and "limit is 10" in message
    assert error_of(client.post("/v1/chat/stream", json={"message": "x" * 11}), 413)
    assert error_of(client.post("/v1/chat", json={"message": "   "}), 422)
    assert assistant.chats.list() == []


def test_unknown_conversation_or_knowledge_base_is_404(live):
    _, _, client = live()
    assert "no conversation" in error_of(
        client.post("/v1/chat", json={"message": "hi", "conversation_id": "x"}), 404
    )
    assert "nope" in error_of(client.post("/v1/chat", json={"message": "hi", "knowledge_base": "nope"}), 404)
    r = client.post("/v1/chat/stream", json={"message": "hi", "conversation_id": "x"})
    assert error_of(r, 404)


def test_a_backend_that_is_down_falls_back_as_in_the_page(live):
    ollama = FakeLLM("ollama", error=LLMUnavailable("Ollama is not running at http://127.0.0.1:11434."))
    _, _, client = live(llm_backend="auto", ollama=ollama)
    answer = client.post("/v1/chat", json={"message": QUESTION}).json()
    assert answer["answer"] == CHECKED and answer["stats"]["backend"] == "embedded"
    assert any("Ollama is not running" in n and "built-in model instead" in n for n in answer["notices"])


def test_a_forced_backend_that_is_down_is_a_clear_503(live):
    ollama = FakeLLM("ollama", error=LLMUnavailable("Ollama is not running at http://127.0.0.1:11434."))
    _, assistant, client = live(llm_backend="auto", ollama=ollama)
    r = client.post("/v1/chat", json={"message": QUESTION, "backend": "ollama"})
    assert "Ollama is not running" in error_of(r, 503)
    with client.stream("POST", "/v1/chat/stream", json={"message": QUESTION, "backend": "ollama"}) as r:
        received = dict(events(r))
    assert "Ollama is not running" in received["error"]["message"] and received["done"]["cut_off"]


def test_a_client_that_disconnects_stops_the_answer_and_the_part_is_stored_as_stopped(live):
    embedded = FakeLLM("embedded", [f"word{i} " for i in range(400)], delay=0.02)
    _, assistant, client = live(embedded=embedded, hits=())
    tokens = []
    with client.stream("POST", "/v1/chat/stream", json={"message": "Tell me a long story"}) as r:
        for name, data in events(r):
            if name == "conversation":
                cid = data["conversation_id"]
            if name == "token":
                tokens.append(data["text"])
                if len(tokens) == 5:
                    break  # and close the connection
    deadline = time.monotonic() + 10
    while len(messages := assistant.chats.messages(cid)) < 2:
        assert time.monotonic() < deadline, "the stopped answer was not stored"
        time.sleep(0.05)
    stopped = messages[-1]
    assert (
        stopped.role == "assistant"
        and stopped.meta["cut_off"]
        and stopped.meta["cut_off_reason"] == "stopped"
    )
    assert stopped.content.startswith("".join(tokens)) and len(stopped.content.split()) < 100
    assert embedded.closed  # the model's stream was closed: generation stopped
    time.sleep(0.3)
    assert assistant.chats.messages(cid) == messages  # nothing more was added
