"""Ollama over its HTTP API, through the official ``ollama`` client.

``/api/version`` is read with plain httpx because the client has no call for it. Every failure
is turned into one of the app's errors with a message that says what to do.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import ollama
import pydantic

from config.settings import Settings
from errors import LLMStreamError, LLMUnavailable, ModelNotFound
from models.llm_base import LLM, GenerationStats, Health, Message

_HEALTH_TTL_S = 3.0


@dataclass(frozen=True)
class PullProgress:
    """One line of ``/api/pull`` progress."""

    status: str
    completed: int = 0
    total: int = 0

    @property
    def fraction(self) -> float | None:
        return self.completed / self.total if self.total else None


class OllamaLLM(LLM):
    name = "ollama"

    def __init__(self, settings: Settings):
        self.base_url = settings.ollama_base_url.rstrip("/")
        self.default_model = settings.ollama_model
        self._num_ctx = settings.llm_context_tokens
        self._timeout = httpx.Timeout(settings.ollama_read_timeout, connect=settings.ollama_connect_timeout)
        self._client = ollama.Client(host=self.base_url, timeout=self._timeout)
        self._health: tuple[float, Health] | None = None

    # --- status ---------------------------------------------------------------------
    def health(self) -> Health:
        """Reachable or not, with the server version; cached for a few seconds."""
        now = time.monotonic()
        if self._health and now - self._health[0] < _HEALTH_TTL_S:
            return self._health[1]
        try:
            timeout = httpx.Timeout(5.0, connect=self._timeout.connect)
            r = httpx.get(f"{self.base_url}/api/version", timeout=timeout)
            r.raise_for_status()
            health = Health(True, f"Ollama {r.json().get('version', '?')} at {self.base_url}")
        except (httpx.HTTPError, ValueError) as e:
            health = Health(False, f"Ollama is not reachable at {self.base_url} ({_reason(e)})")
        self._health = (now, health)
        return health

    def models(self) -> list[str]:
        try:
            listing = self._client.list()
        except (ConnectionError, httpx.HTTPError) as e:
            raise self._unavailable(e) from e
        except ollama.ResponseError as e:
            raise LLMUnavailable(f"Ollama could not list its models: {e.error}") from e
        return sorted(m.model for m in listing.models if m.model)

    def context_tokens(self) -> int:
        return self._num_ctx

    # --- chat -----------------------------------------------------------------------
    def stream(
        self,
        messages: list[Message],
        *,
        model: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.3,
        stats: GenerationStats | None = None,
        repeat_penalty: float | None = None,
    ) -> Iterator[str]:
        model = model or self.default_model
        if stats is not None:
            stats.model = model
        options = {"num_predict": max_tokens, "temperature": temperature, "num_ctx": self._num_ctx}
        if repeat_penalty is not None:
            options["repeat_penalty"] = repeat_penalty
        try:
            parts = self._client.chat(model=model, messages=messages, stream=True, options=options)
            for part in parts:
                text = part.message.content if part.message else ""
                if text:
                    yield text
                if part.done and stats is not None:
                    stats.prompt_tokens = part.prompt_eval_count or 0
                    stats.completion_tokens = part.eval_count or 0
        except ollama.ResponseError as e:
            if e.status_code == 404:
                raise ModelNotFound(
                    f"Ollama does not have the model '{model}'. Pull it from the sidebar "
                    f"(or run `ollama pull {model}`)."
                ) from e
            raise LLMStreamError(f"Ollama answered with an error: {e.error}") from e
        except (ConnectionError, httpx.ConnectError, httpx.ConnectTimeout) as e:
            raise self._unavailable(e) from e
        except httpx.ReadTimeout as e:
            raise LLMStreamError(
                f"Ollama stopped sending the answer for {self._timeout.read:.0f} s. "
                "It may be overloaded; try again or pick a smaller model."
            ) from e
        except httpx.HTTPError as e:
            raise LLMStreamError(f"The connection to Ollama broke during the answer ({_reason(e)}).") from e
        except (json.JSONDecodeError, pydantic.ValidationError) as e:
            raise LLMStreamError("Ollama sent data the app could not read; the answer was cut off.") from e

    # --- models ---------------------------------------------------------------------
    def pull(self, model: str) -> Iterator[PullProgress]:
        """Download a model into Ollama, yielding progress as it comes."""
        try:
            for part in self._client.pull(model, stream=True):
                yield PullProgress(part.status or "", part.completed or 0, part.total or 0)
        except ollama.ResponseError as e:
            raise LLMStreamError(f"Ollama could not pull '{model}': {e.error}") from e
        except (ConnectionError, httpx.ConnectError, httpx.ConnectTimeout) as e:
            raise self._unavailable(e) from e
        except (httpx.HTTPError, json.JSONDecodeError, pydantic.ValidationError) as e:
            raise LLMStreamError(f"Pulling '{model}' was interrupted ({_reason(e)}). Try again.") from e

    def _unavailable(self, e: Exception) -> LLMUnavailable:
        self._health = None
        return LLMUnavailable(
            f"Ollama is not reachable at {self.base_url}. Start it with `ollama serve`, "
            "or set OLLAMA_BASE_URL."
        )


def _reason(e: Exception) -> str:
    text = str(e).strip()
    return f"{type(e).__name__}: {text}" if text else type(e).__name__
