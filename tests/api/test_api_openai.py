"""The OpenAI-compatible endpoints through the official ``openai`` client, streamed and not:
``local`` is plain chat, ``kb/<name>`` answers from that knowledge base with [n] citations and its
sources in extra fields."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from errors import LLMUnavailable
from tests.api.live import EchoLLM
from tests.fakes import FakeLLM

QUESTION = "What was NVIDIA's revenue?"
CHECKED = "Revenue was $7,192 million [1]. It grew 53%."


def client_for(server, assistant=None, key: str = "") -> openai.OpenAI:
    """The official client on the server, with a new key of ``assistant`` (or ``key``): it always
    sends one, and a key sent must be valid even where keys are optional."""
    if assistant is not None:
        key, _ = assistant.api_keys.create(f"k{len(assistant.api_keys.list())}")
    return openai.OpenAI(base_url=server.url + "/v1", api_key=key, max_retries=0, timeout=30)


def test_models_are_local_and_one_per_knowledge_base(live):
    server, assistant, http = live()
    http.post("/v1/knowledge-bases", json={"name": "Contracts"})
    ids = [m.id for m in client_for(server, assistant).models.list()]
    assert ids == ["local", "kb/My documents", "kb/Contracts"]


def test_a_grounded_answer_with_citations_and_sources_in_extra_fields(live):
    server, assistant, _ = live()
    completion = client_for(server, assistant).chat.completions.create(
        model="kb/My documents", messages=[{"role": "user", "content": QUESTION}]
    )
    assert completion.choices[0].message.content == CHECKED
    assert completion.choices[0].finish_reason == "stop" and completion.model == "kb/My documents"
    extra = completion.model_extra
    assert extra["sources"][0]["file"] == "2023 Q1 NVDA.pdf" and extra["sources"][0]["page_start"] == 5
    assert extra["unsupported_figures"] == ["53%"]
    assert completion.usage.completion_tokens == 4
    time.sleep(0.2)
    assert assistant.chats.list() == []  # each request is its own chat, not kept


def test_a_streamed_grounded_answer(live):
    server, assistant, _ = live()
    stream = client_for(server, assistant).chat.completions.create(
        model="kb/default", messages=[{"role": "user", "content": QUESTION}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Revenue was $7,192 million. It grew 53%."  # as the model wrote it
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["answer"] == CHECKED  # as checked: the [1] added
    sources = next(c.model_extra["sources"] for c in chunks if "sources" in (c.model_extra or {}))
    assert sources[0]["file"] == "2023 Q1 NVDA.pdf"


def test_local_is_plain_chat_with_the_history_the_client_sends(live):
    embedded = EchoLLM("embedded")
    server, assistant, _ = live(embedded=embedded)
    client = client_for(server, assistant)
    messages = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "My name is Ada."},
        {"role": "assistant", "content": "Hello Ada."},
        {"role": "user", "content": [{"type": "text", "text": "What is my name?"}]},
    ]
    completion = client.chat.completions.create(model="local", messages=messages)
    assert completion.choices[0].message.content.strip() == "You said: What is my name?"
    assert completion.model_extra["sources"] == []
    sent = embedded.calls[-1][0]
    assert sent[0] == {"role": "system", "content": "You are terse."}
    assert {"role": "assistant", "content": "Hello Ada."} in sent and sent[-1][
        "content"
    ] == "What is my name?"
    streamed = client.chat.completions.create(model="local", messages=messages, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in streamed).strip() == "You said: What is my name?"


def test_unknown_model_wrong_key_and_a_backend_that_is_down(live):
    ollama = FakeLLM("ollama", error=LLMUnavailable("Ollama is not running."))
    embedded = FakeLLM("embedded", error=LLMUnavailable("The built-in model could not be loaded."))
    server, assistant, _ = live(require_keys=True, llm_backend="auto", ollama=ollama, embedded=embedded)
    key, _ = assistant.api_keys.create("editor")
    with pytest.raises(openai.AuthenticationError) as e:
        client_for(server, key="la-wrong").models.list()
    assert "not valid" in e.value.body["message"]
    client = client_for(server, key=key)
    with pytest.raises(openai.NotFoundError) as e:
        client.chat.completions.create(model="kb/nope", messages=[{"role": "user", "content": "hi"}])
    assert "nope" in e.value.body["message"]
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])
    for stream in (False, True):
        with pytest.raises(openai.InternalServerError) as e:
            reply = client.chat.completions.create(
                model="local", messages=[{"role": "user", "content": "hi"}], stream=stream
            )
            list(reply) if stream else None
        assert "built-in model could not be loaded" in e.value.body["message"]


def test_a_bad_request_is_422_with_the_error_shape(live):
    server, _, http = live()
    r = http.post(
        "/v1/chat/completions", json={"model": "local", "messages": [{"role": "assistant", "content": "x"}]}
    )
    assert r.status_code == 422 and "last message" in r.json()["error"]["message"]
    r = http.post("/v1/chat/completions", json={"messages": []})
    assert r.status_code == 422 and r.json()["error"]["type"] == "invalid_request"


def test_a_streamed_completion_stopped_by_the_client_stops_the_model(live):
    embedded = FakeLLM("embedded", [f"w{i} " for i in range(400)], delay=0.02)
    server, assistant, _ = live(embedded=embedded, hits=())
    body = {"model": "local", "messages": [{"role": "user", "content": "Go on"}], "stream": True}
    with (
        httpx.Client(base_url=server.url) as http,
        http.stream("POST", "/v1/chat/completions", json=body) as r,
    ):
        for count, _ in enumerate(r.iter_lines()):
            if count > 10:
                break
    deadline = time.monotonic() + 10
    while not embedded.closed or assistant.chats.list():
        assert time.monotonic() < deadline
        time.sleep(0.05)
