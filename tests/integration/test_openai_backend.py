"""The OpenAI-compatible backend: against a real server (llama-cpp-python's own
``python -m llama_cpp.server`` with the packaged model) and, for the faults a real server will
not produce on demand, against OpenAIStandIn (tests/openai_standin.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from config.settings import Settings
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Done, Error, Notice, Token
from errors import LLMStreamError, LLMUnavailable, ModelNotFound
from models.llm_base import GenerationStats
from models.openai_compat_model import OpenAICompatLLM
from models.packaged_gguf import ensure_packaged_model
from storage.conversations import ConversationStore
from tests.fakes import FakeLLM
from tests.openai_standin import OpenAIStandIn

QUESTION = [{"role": "user", "content": "What is the capital of France? Answer in one word."}]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def backend(url: str, **kw) -> OpenAICompatLLM:
    return OpenAICompatLLM(Settings(openai_base_url=url, **kw))


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    """llama-cpp-python's OpenAI-compatible server on a free port, serving the packaged model."""
    model = ensure_packaged_model(Settings().model_cache_dir)
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", "qwen-0.5b"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"]
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = open(log_path, "wb")  # a file, not a pipe: llama.cpp logs a lot and a full pipe blocks it
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"llama_cpp.server exited: {log_path.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start in 90 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def test_real_server_lists_its_model_and_streams_an_answer(llama_server):
    llm = backend(llama_server)
    assert llm.health().ok and llm.models() == ["qwen-0.5b"]
    stats = GenerationStats()
    pieces = list(llm.stream(QUESTION, model="qwen-0.5b", max_tokens=16, temperature=0.0, stats=stats))
    assert "paris" in "".join(pieces).lower()
    assert stats.completion_tokens > 0  # it sends no usage in a stream: the pieces are counted
    counting = [{"role": "user", "content": "Count from one to ten in words."}]
    assert len(list(llm.stream(counting, model="qwen-0.5b", max_tokens=24, temperature=0.0))) > 3  # streamed


def test_assistant_answers_through_a_real_server_chosen_in_options(llama_server, tmp_path):
    assistant = LocalAIAssistant(Settings(data_dir=tmp_path, max_answer_tokens=16))
    cid = assistant.chats.new().id
    options = AskOptions(backend="openai", openai_base_url=llama_server, use_documents=False)
    events = list(assistant.answers.ask(cid, "What is the capital of France? One word.", options))
    done = next(e for e in events if isinstance(e, Done))
    assert "paris" in done.text.lower() and not any(isinstance(e, Error) for e in events)
    assert assistant.chats.messages(cid)[-1].meta["backend"] == "openai"
    health, models = assistant.engines.openai_status(options)
    assert health.ok and models == ["qwen-0.5b"]


def test_request_follows_the_wire_format():
    with OpenAIStandIn() as server:
        stats = GenerationStats()
        text = "".join(backend(server.url).stream(QUESTION, model="big-model", max_tokens=9, stats=stats))
        assert text == "The capital of France is Paris."
        path, body = server.requests[-1]
        assert path == "/v1/chat/completions" and body["stream"] is True and body["max_tokens"] == 9
        assert body["messages"] == QUESTION and stats.completion_tokens == 5 and stats.prompt_tokens == 21


def test_no_model_named_uses_the_first_the_server_lists():
    with OpenAIStandIn(models=["first", "second"]) as server:
        assert "Paris" in "".join(backend(server.url).stream(QUESTION))
        assert server.requests[-1][1]["model"] == "first"


@pytest.mark.parametrize(
    ("fault", "error", "words"),
    [
        ("401", LLMUnavailable, "API key"),
        ("500", LLMStreamError, "HTTP 500"),
    ],
)
def test_server_errors_become_clear_messages(fault, error, words):
    with OpenAIStandIn() as server:
        server.fault = fault
        with pytest.raises(error, match=words):
            list(backend(server.url).stream(QUESTION, model="big-model"))


def test_unknown_model_is_model_not_found():
    with OpenAIStandIn() as server, pytest.raises(ModelNotFound, match="no model 'nope'"):
        list(backend(server.url).stream(QUESTION, model="nope"))


def test_down_server_is_unavailable_and_health_says_so():
    llm = backend(f"http://127.0.0.1:{free_port()}/v1")
    assert not llm.health().ok
    with pytest.raises(LLMUnavailable, match="not reachable"):
        list(llm.stream(QUESTION, model="x"))


def test_stalled_stream_times_out_with_a_message():
    with OpenAIStandIn() as server:
        server.fault, server.stall_s = "stall", 3.0
        llm = backend(server.url, openai_read_timeout=1.0)
        pieces: list[str] = []
        with pytest.raises(LLMStreamError, match="stopped answering"):
            for piece in llm.stream(QUESTION, model="big-model"):
                pieces.append(piece)
        assert pieces == ["The capital", " of France"]


def assistant_with(server_url: str, tmp_path, embedded: FakeLLM) -> LocalAIAssistant:
    settings = Settings(data_dir=tmp_path, openai_base_url=server_url, openai_model="big-model")
    store = ConversationStore(settings.db_path)
    return LocalAIAssistant(
        settings, store=store, llms={"embedded": embedded, "ollama": FakeLLM("ollama-down")}
    )


def test_cut_stream_keeps_the_partial_answer(tmp_path):
    with OpenAIStandIn() as server:
        server.fault = "cut"
        assistant = assistant_with(server.url, tmp_path, FakeLLM("embedded"))
        cid = assistant.chats.new().id
        events = list(
            assistant.answers.ask(
                cid, "Capital of France?", AskOptions(backend="openai", use_documents=False)
            )
        )
        error = next(e for e in events if isinstance(e, Error))
        assert error.partial and "cut off" in error.text
        stored = assistant.chats.messages(cid)[-1]
        assert stored.content == "The capital of France" and stored.meta["cut_off"]


def test_automatic_mode_falls_back_when_the_server_is_down(tmp_path):
    embedded = FakeLLM("embedded", ["Built-in", " answer."])
    ollama_down = FakeLLM("ollama", error=LLMUnavailable("Ollama is not reachable."), fail_after=0)
    settings = Settings(data_dir=tmp_path, openai_base_url=f"http://127.0.0.1:{free_port()}/v1")
    assistant = LocalAIAssistant(settings, llms={"embedded": embedded, "ollama": ollama_down})
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "Hello?", AskOptions(use_documents=False)))
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert "not reachable" in notices[0] and "Answering with Ollama instead" in notices[0]
    assert "Answering with the built-in model instead" in notices[1]
    assert "".join(e.text for e in events if isinstance(e, Token)) == "Built-in answer."
