"""Per-question choices the user makes in the sidebar (or on the command line)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AskOptions:
    """Per-question choices the user makes in the sidebar."""

    backend: str = "auto"  # "auto" | "ollama" | "embedded"
    ollama_model: str = ""  # empty: settings.ollama_model
    gguf_path: str = ""  # empty: settings.gguf_path, else the packaged model
    preset: str = "default"
    custom_prompt: str = ""
    use_documents: bool = True
    documents_only: bool = False
    speak: bool = False  # speak the answer as it is written (Audio events)
    tts_voice: str = ""
    tts_rate: int = 175
    tts_volume: float = 0.9
