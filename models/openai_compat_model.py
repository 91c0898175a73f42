"""Any OpenAI-compatible chat server (llama.cpp's llama-server, vLLM, LM Studio, a GPU box ...):
``POST /v1/chat/completions`` streamed over server-sent events and ``GET /v1/models``, through
the official ``openai`` client with its retries off (the orchestrator decides what to do).

Every failure becomes one of the app's errors with a message that says what to do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import openai

from config.settings import Settings
from errors import LLMStreamError, LLMUnavailable, ModelNotFound
from models.llm_base import LLM, GenerationStats, Health, Message

_HEALTH_TTL_S = 3.0


class OpenAICompatLLM(LLM):
    name = "openai"

    def __init__(self, settings: Settings):
        self.base_url = settings.openai_base_url.rstrip("/")
        self.default_model = settings.openai_model
        self._context = settings.llm_context_tokens
        self._timeout = httpx.Timeout(settings.openai_read_timeout, connect=settings.openai_connect_timeout)
        self._client = openai.OpenAI(
            base_url=self.base_url or "http://127.0.0.1:8080/v1",
            api_key=settings.openai_api_key or "not-needed",  # local servers ignore it
            timeout=self._timeout,
            max_retries=0,
        )
        self._health: tuple[float, Health] | None = None

    @property
    def configured(self) -> bool:
        return bool(self.base_url)

    # --- status ---------------------------------------------------------------------
    def health(self) -> Health:
        """Reachable (with its model count) or not; cached for a few seconds."""
        if not self.configured:
            return Health(False, "No OpenAI-compatible server is set (OPENAI_BASE_URL)")
        now = time.monotonic()
        if self._health and now - self._health[0] < _HEALTH_TTL_S:
            return self._health[1]
        try:
            count = len(self.models())
            health = Health(True, f"{count} model(s) at {self.base_url}")
        except LLMUnavailable as e:
            health = Health(False, str(e))
        self._health = (now, health)
        return health

    def models(self) -> list[str]:
        if not self.configured:
            return []
        try:
            return sorted(m.id for m in self._client.with_options(timeout=5.0).models.list())
        except openai.AuthenticationError as e:
            raise LLMUnavailable(f"The server at {self.base_url} refused the API key (401). Check it.") from e
        except (openai.APIConnectionError, openai.APITimeoutError) as e:
            raise self._unavailable() from e
        except openai.APIStatusError as e:
            raise LLMUnavailable(
                f"The server at {self.base_url} could not list its models (HTTP {e.status_code})."
            ) from e

    def context_tokens(self) -> int:
        return self._context

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
        if not self.configured:
            raise LLMUnavailable("No OpenAI-compatible server is set: enter its URL in the sidebar.")
        model = model or self.default_model or self._first_model()
        if stats is not None:
            stats.model = model
        started = False
        pieces = 0
        try:
            chunks = self._client.chat.completions.create(
                model=model,
                messages=[{"role": m["role"], "content": m["content"]} for m in messages],
                stream=True,
                max_tokens=max_tokens,
                temperature=temperature,
                stream_options={"include_usage": True},
            )
            with chunks:
                for chunk in chunks:
                    if chunk.usage is not None and stats is not None:
                        stats.prompt_tokens = chunk.usage.prompt_tokens or 0
                        stats.completion_tokens = chunk.usage.completion_tokens or 0
                    if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                        started = True
                        pieces += 1
                        yield chunk.choices[0].delta.content
            if stats is not None and not stats.completion_tokens:
                stats.completion_tokens = pieces  # servers that send no usage (llama_cpp.server)
        except openai.NotFoundError as e:
            raise ModelNotFound(
                f"The server at {self.base_url} has no model '{model}' (404). Pick one it lists."
            ) from e
        except openai.AuthenticationError as e:
            raise LLMUnavailable(f"The server at {self.base_url} refused the API key (401). Check it.") from e
        except openai.APITimeoutError as e:
            raise LLMStreamError(
                f"The server at {self.base_url} stopped answering for {self._timeout.read:.0f} s; "
                "the answer was cut off. Try again, or a smaller model."
            ) from e
        except openai.APIConnectionError as e:
            if started:
                raise LLMStreamError(
                    f"The connection to {self.base_url} broke during the answer; the answer was cut off."
                ) from e
            raise self._unavailable() from e
        except openai.APIStatusError as e:
            raise LLMStreamError(
                f"The server at {self.base_url} answered with an error (HTTP {e.status_code}): {_message(e)}"
            ) from e
        except (openai.APIError, httpx.HTTPError) as e:
            raise LLMStreamError(
                f"The connection to {self.base_url} broke during the answer; the answer was cut off."
            ) from e

    def _first_model(self) -> str:
        models = self.models()
        if not models:
            raise ModelNotFound(f"The server at {self.base_url} lists no models.")
        return models[0]

    def _unavailable(self) -> LLMUnavailable:
        self._health = None
        return LLMUnavailable(
            f"The OpenAI-compatible server at {self.base_url} is not reachable. Start it, or check the URL."
        )


def _message(e: openai.APIStatusError) -> str:
    body = e.body if isinstance(e.body, dict) else {}
    error = body.get("error", body) if isinstance(body, dict) else {}
    text = error.get("message") if isinstance(error, dict) else None
    return str(text or e.message)[:200]
