from pathlib import Path

import pytest

from config.settings import Settings
from core.answers import prompts


def test_defaults_bind_nothing_external():
    s = Settings()
    assert s.ollama_base_url.startswith("http://127.0.0.1")
    assert s.llm_backend == "auto"


def test_env_overrides_are_typed():
    s = Settings.from_env(
        {
            "DATA_DIR": "/tmp/x",
            "MAX_MESSAGE_CHARS": "12",
            "TEMPERATURE": "0.5",
            "OLLAMA_BASE_URL": "http://ollama:11434",
        }
    )
    assert s.data_dir == Path("/tmp/x") and s.max_message_chars == 12 and s.temperature == 0.5
    assert s.ollama_base_url == "http://ollama:11434"
    assert s.db_path == Path("/tmp/x/conversations.sqlite3")


def test_bad_env_value_names_the_variable():
    with pytest.raises(ValueError, match="MAX_MESSAGE_CHARS"):
        Settings.from_env({"MAX_MESSAGE_CHARS": "lots"})


def test_presets():
    assert set(prompts.PRESETS) == {"default", "concise", "technical", "creative"}
    assert prompts.system_prompt("technical") == prompts.PRESETS["technical"]
    assert prompts.system_prompt("custom", "  Be brief. ") == "Be brief."
    assert prompts.system_prompt("custom", "") == prompts.PRESETS["default"]
    assert prompts.system_prompt("nonsense") == prompts.PRESETS["default"]


def test_embedding_engine_is_int8_unless_forced():
    import pytest

    from retrieval.embeddings.backends import choose_backend

    assert choose_backend("auto") == "onnx-int8"
    assert choose_backend("torch-bf16") == "torch-bf16"
    with pytest.raises(ValueError, match="EMBEDDING_BACKEND"):
        choose_backend("gpu")
