"""Per-question choices the user makes in the sidebar (or on the command line)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AskOptions:
    """Per-question choices the user makes in the sidebar."""

    backend: str = "auto"  # "auto" | "openai" | "ollama" | "embedded"
    ollama_model: str = ""  # empty: settings.ollama_model
    openai_base_url: str = ""  # empty: settings.openai_base_url
    openai_api_key: str = ""  # empty: settings.openai_api_key
    openai_model: str = ""  # empty: settings.openai_model, else the server's first model
    builtin_model: str = ""  # "fast" | "better" (models/packaged_gguf.py); empty: settings.builtin_model
    gguf_path: str = ""  # a GGUF file; overrides the built-in model
    preset: str = "default"
    custom_prompt: str = ""
    use_documents: bool = True
    collection: str = "default"  # which knowledge base (storage/collections.py); "" = none
    documents_only: bool = False
    speak: bool = False  # speak the answer as it is written (Audio events)
    tts_voice: str = ""
    tts_rate: int = 175
    tts_volume: float = 0.9
