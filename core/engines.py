"""The language-model backends: which ones exist, whether they answer, which models they hold,
and the order an answer tries them in (a server first when one is set, then Ollama, then the
built-in model)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from config.settings import Settings
from core.options import AskOptions
from errors import LLMUnavailable, UserInputError
from models import llm_registry
from models.llm_base import LLM, Health, ModelPuller

BACKEND_NAMES = {
    "embedded": "the built-in model",
    "ollama": "Ollama",
    "openai": "the OpenAI-compatible server",
}


@dataclass
class Attempt:
    """One backend an answer may come from, with the model it is asked for."""

    llm: LLM
    model: str | None


class Engines:
    """The backends, created on first use, and what the sidebar shows of them."""

    def __init__(self, settings: Settings, llms: dict[str, LLM] | None = None):
        self.settings = settings
        self._llms: dict[str, LLM] = dict(llms or {})
        # Backends that could not start on their last try: that the answer comes from the next one
        # is said once, not under every answer (the sidebar says it too), and again if it recovers
        # and then fails again.
        self._down: set[str] = set()

    def llm(self, name: str) -> LLM:
        """The backend called ``name``, created on first use."""
        if name not in self._llms:
            self._llms[name] = llm_registry.create(name, self.settings)
        return self._llms[name]

    def openai_llm(self, options: AskOptions | None = None) -> LLM:
        """The OpenAI-compatible backend for the URL and key in ``options`` (else settings)."""
        o = options or AskOptions()
        url = (o.openai_base_url or self.settings.openai_base_url).strip()
        key = o.openai_api_key or self.settings.openai_api_key
        name = f"openai|{url}|{hash(key)}"
        if name not in self._llms:
            changed = replace(self.settings, openai_base_url=url, openai_api_key=key)
            self._llms[name] = llm_registry.create("openai", changed)
        return self._llms[name]

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` as the built-in model counts them (prompt budgets are set in these)."""
        return self.llm("embedded").count_tokens(text)

    # --- status ---------------------------------------------------------------------
    def ollama_health(self) -> Health:
        return self.llm("ollama").health()

    def ollama_models(self) -> list[str]:
        """Installed Ollama models, or [] when Ollama is not reachable."""
        try:
            return self.llm("ollama").models()
        except LLMUnavailable:
            return []

    def builtin_models(self) -> list[tuple[str, str, bool]]:
        """The built-in models as (key, what it costs, installed on this computer)."""
        from models.packaged_gguf import PACKAGED, is_available

        cache = self.settings.model_cache_dir
        return [(key, m.summary, is_available(cache, key)) for key, m in PACKAGED.items()]

    def openai_status(self, options: AskOptions) -> tuple[Health, list[str]]:
        """Whether the OpenAI-compatible server in ``options`` answers, and its models."""
        llm = self.openai_llm(options)
        health = llm.health()
        if not health.ok:
            return health, []
        try:
            return health, llm.models()
        except LLMUnavailable as e:
            return Health(False, str(e)), []

    def pull_model(self, name: str) -> Iterator[Any]:
        """Pull an Ollama model, yielding progress updates (status, completed, total)."""
        name = name.strip()
        if not name:
            raise UserInputError("Type the name of a model to pull, for example llama3.2.")
        ollama = self.llm("ollama")
        if not isinstance(ollama, ModelPuller):
            raise UserInputError("This backend cannot download models.")
        return ollama.pull(name)

    # --- choosing -------------------------------------------------------------------
    def builtin_model(self, options: AskOptions) -> str:
        """The GGUF path or built-in model key the embedded engine answers ``options`` with."""
        builtin = options.builtin_model or self.settings.builtin_model
        return options.gguf_path or self.settings.gguf_path or builtin

    def answers_from_builtin(self) -> bool:
        """Whether answers would come from the built-in model as the app is set up now."""
        backend = self.settings.llm_backend
        if backend != "auto":
            return backend == "embedded"
        return not self.settings.openai_base_url and not self.ollama_health().ok

    def attempts(self, options: AskOptions) -> list[Attempt]:
        """The backends an answer tries, in order: one when a backend is forced, else the
        OpenAI-compatible server (when one is set), Ollama, then the built-in model."""
        backend = options.backend if options.backend != "auto" else self.settings.llm_backend
        embedded = Attempt(self.llm("embedded"), self.builtin_model(options))
        ollama = Attempt(self.llm("ollama"), options.ollama_model or self.settings.ollama_model)
        remote_model = options.openai_model or self.settings.openai_model or None
        remote = Attempt(self.openai_llm(options), remote_model)
        if backend == "embedded":
            return [embedded]
        if backend == "ollama":
            return [ollama]
        if backend == "openai":
            return [remote]
        configured = bool((options.openai_base_url or self.settings.openai_base_url).strip())
        return [remote, ollama, embedded] if configured else [ollama, embedded]

    def answering_attempt(self, options: AskOptions) -> Attempt:
        """The backend an answer would come from now: the first that is reachable, as ``ask``
        falls back (with "auto" and no Ollama running, the built-in model), else the last."""
        attempts = self.attempts(options)
        return next((a for a in attempts[:-1] if a.llm.health().ok), attempts[-1])

    # --- which backends are down ------------------------------------------------------
    def went_down(self, name: str) -> bool:
        """Note that ``name`` could not start; True the first time (say so once, not every time)."""
        first = name not in self._down
        self._down.add(name)
        return first

    def answered(self, name: str) -> None:
        """``name`` answered again: if it fails later, that is said again."""
        self._down.discard(name)
