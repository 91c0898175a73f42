"""The sidebar and chat against OllamaStandIn (Ollama's wire format; the server cannot be installed here)."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT
from tests.ollama_standin import OllamaStandIn


@pytest.fixture
def ollama(monkeypatch, tmp_path):
    with OllamaStandIn(models=["llama3.2:latest", "qwen2.5:0.5b"]) as server:
        monkeypatch.setenv("DATA_DIR", str(tmp_path))
        monkeypatch.setenv("OLLAMA_BASE_URL", server.url)
        monkeypatch.setenv("OLLAMA_MODEL", "llama3.2:latest")
        st.cache_resource.clear()
        yield server
        st.cache_resource.clear()


def test_status_models_pull_and_answer(ollama):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not at.exception
    assert any("Ollama 0.12.6" in s.value for s in at.sidebar.success)
    picker = next(s for s in at.sidebar.selectbox if s.label == "Ollama model")
    assert picker.options == ["llama3.2:latest", "qwen2.5:0.5b"] and picker.value == "llama3.2:latest"

    next(t for t in at.sidebar.text_input if t.label == "Pull a model").set_value("tinyllama:latest")
    next(b for b in at.sidebar.button if b.label == "Pull").click().run()
    ready = "tinyllama\\:latest is ready"  # the name is escaped: shown as typed, never as Markdown
    assert any(ready in p.proto.text for p in at.sidebar.get("progress"))
    at.chat_input[0].set_value("What is the capital of France?").run()
    assert "tinyllama:latest" in at.sidebar.selectbox(key="ollama_model").options

    assert at.chat_message[1].markdown[0].value == "The capital of France is Paris."
    path, body = ollama.requests[-1]
    assert path == "/api/chat" and body["model"] == "llama3.2:latest"


def test_pull_of_an_unknown_model_shows_the_error(ollama):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    next(t for t in at.sidebar.text_input if t.label == "Pull a model").set_value("nope")
    next(b for b in at.sidebar.button if b.label == "Pull").click().run()
    assert any("could not pull 'nope'" in e.value for e in at.sidebar.error)
