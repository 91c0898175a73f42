"""Name -> LLM backend class. Adding a backend = one new file + one line in ``_FACTORIES``.

Imports happen inside the factories so that nothing heavy loads until a backend is used.
Tests may register fakes in ``LLM_BACKENDS`` exactly like real engines.
"""

from __future__ import annotations

from collections.abc import Callable

from config.settings import Settings
from models.llm_base import LLM, LLM_BACKENDS


def _ollama(settings: Settings) -> LLM:
    from models.ollama_model import OllamaLLM

    return OllamaLLM(settings)


def _embedded(settings: Settings) -> LLM:
    from models.llamacpp_model import LlamaCppLLM

    return LlamaCppLLM(settings)


def _openai(settings: Settings) -> LLM:
    from models.openai_compat_model import OpenAICompatLLM

    return OpenAICompatLLM(settings)


_FACTORIES: dict[str, Callable[[Settings], LLM]] = {
    "ollama": _ollama,
    "embedded": _embedded,
    "openai": _openai,
}
for _name, _factory in _FACTORIES.items():
    LLM_BACKENDS.setdefault(_name, _factory)


def create(name: str, settings: Settings) -> LLM:
    """A new backend called ``name``; ValueError names the known ones when it is unknown."""
    try:
        factory = LLM_BACKENDS[name]
    except KeyError:
        raise ValueError(f"Unknown LLM backend {name!r}; known: {', '.join(sorted(LLM_BACKENDS))}") from None
    return factory(settings)
