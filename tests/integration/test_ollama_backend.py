"""The Ollama backend against OllamaStandIn (a wire-format stand-in: Ollama cannot be installed here)."""

from __future__ import annotations

import socket

import pytest

from config.settings import Settings
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Done, Error, Notice, Token
from errors import LLMStreamError, LLMUnavailable, ModelNotFound
from models.llm_base import GenerationStats
from models.ollama_model import OllamaLLM
from storage.conversations import ConversationStore
from tests.fakes import FakeLLM
from tests.ollama_standin import OllamaStandIn

QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


@pytest.fixture
def server():
    with OllamaStandIn() as s:
        yield s


def backend(url: str, **kw) -> OllamaLLM:
    return OllamaLLM(Settings(ollama_base_url=url, ollama_model="llama3.2:latest", **kw))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_health_lists_version_and_models(server):
    llm = backend(server.url)
    health = llm.health()
    assert health.ok and "0.12.6" in health.detail
    assert llm.models() == ["llama3.2:latest"]


def test_streamed_chat_sends_the_documented_request(server):
    llm = backend(server.url)
    stats = GenerationStats()
    text = "".join(llm.stream(QUESTION, max_tokens=64, temperature=0.1, stats=stats))
    assert text == "The capital of France is Paris."
    assert stats.completion_tokens == 5 and stats.prompt_tokens == 26
    path, body = server.requests[-1]
    assert path == "/api/chat" and body["stream"] is True and body["model"] == "llama3.2:latest"
    assert body["messages"] == QUESTION
    assert body["options"]["num_predict"] == 64 and body["options"]["temperature"] == 0.1
    assert "repeat_penalty" not in body["options"]  # not asked for: the server's own default
    list(llm.stream(QUESTION, max_tokens=64, repeat_penalty=1.1))
    assert server.requests[-1][1]["options"]["repeat_penalty"] == 1.1


def test_down_at_start():
    llm = backend(f"http://127.0.0.1:{free_port()}")
    assert not llm.health().ok
    with pytest.raises(LLMUnavailable, match="not reachable"):
        list(llm.stream(QUESTION))
    with pytest.raises(LLMUnavailable):
        llm.models()


def test_missing_model_is_404(server):
    with pytest.raises(ModelNotFound, match="Pull it from the sidebar"):
        list(backend(server.url).stream(QUESTION, model="mistral"))


def test_server_error_500(server):
    server.fault = "500"
    with pytest.raises(LLMStreamError, match="llama runner process has terminated"):
        list(backend(server.url).stream(QUESTION))


@pytest.mark.parametrize("fault", ["malformed", "die"])
def test_faults_mid_stream_keep_the_pieces_already_sent(server, fault):
    server.fault = fault
    got = []
    with pytest.raises(LLMStreamError):
        for piece in backend(server.url).stream(QUESTION):
            got.append(piece)
    assert got == ["The capital", " of France"]


def test_stalled_stream_times_out_on_read(server):
    server.fault = "stall"
    server.stall_s = 2.0
    with pytest.raises(LLMStreamError, match="stopped sending"):
        list(backend(server.url, ollama_read_timeout=0.5).stream(QUESTION))


def test_pull_reports_progress_then_the_model_is_listed(server):
    llm = backend(server.url)
    steps = list(llm.pull("tinyllama:latest"))
    assert steps[0].status == "pulling manifest" and steps[-1].status == "success"
    fractions = [s.fraction for s in steps if s.fraction is not None]
    assert fractions == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert "tinyllama:latest" in llm.models()


def test_pull_of_unknown_model_is_a_clear_error(server):
    with pytest.raises(LLMStreamError, match="could not pull 'nope'.*file does not exist"):
        list(backend(server.url).pull("nope"))


# --- through the orchestrator: messages the user sees, fallback, nothing lost -------------
def assistant_for(url, tmp_path, embedded):
    settings = Settings(data_dir=tmp_path, ollama_base_url=url, ollama_model="llama3.2:latest")
    store = ConversationStore(tmp_path / "c.db")
    return LocalAIAssistant(settings, store, {"embedded": embedded})


def test_down_ollama_falls_back_to_embedded(tmp_path):
    embedded = FakeLLM("embedded", ["Paris."])
    assistant = assistant_for(f"http://127.0.0.1:{free_port()}", tmp_path, embedded)
    cid = assistant.chats.new().id
    events = list(assistant.answers.ask(cid, "Capital of France?"))
    assert any(isinstance(e, Notice) and "not reachable" in e.text for e in events)
    assert "".join(e.text for e in events if isinstance(e, Token)) == "Paris."


def test_ollama_dying_mid_answer_keeps_partial_and_app_keeps_working(server, tmp_path):
    assistant = assistant_for(server.url, tmp_path, FakeLLM("embedded"))
    cid = assistant.chats.new().id
    server.fault = "die"
    events = list(assistant.answers.ask(cid, "Capital of France?"))
    error = next(e for e in events if isinstance(e, Error))
    assert error.partial and "broke" in error.text
    assert events[-1] == Done(events[-1].message_id, "The capital of France", cut_off=True)
    server.fault = ""
    events = list(assistant.answers.ask(cid, "Again?", AskOptions(backend="ollama")))
    assert "".join(e.text for e in events if isinstance(e, Token)) == "The capital of France is Paris."
    roles = [(m.role, m.meta.get("cut_off", False)) for m in assistant.chats.messages(cid)]
    assert roles == [("user", False), ("assistant", True), ("user", False), ("assistant", False)]
