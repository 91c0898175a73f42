"""The one small interface every LLM backend implements, and the registry that maps names to classes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, runtime_checkable


@runtime_checkable
class ModelPuller(Protocol):
    """A backend that can download a model by name (Ollama), yielding progress updates."""

    def pull(self, model: str) -> Iterator[Any]: ...


class Message(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


@dataclass(frozen=True)
class Health:
    """What a backend says about itself: reachable or not, and why."""

    ok: bool
    detail: str  # e.g. "Ollama 0.12.3" or "connection refused at http://..."


@dataclass
class GenerationStats:
    """Filled in by ``stream`` as it goes; read after the stream ends."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""


class LLM(ABC):
    """A chat model that streams text pieces."""

    #: Short name shown to the user ("ollama", "embedded").
    name: str = ""
    #: Whether ``stream`` continues a final assistant message (the start of the answer, written by
    #: the app) instead of starting a new one. Servers differ here, so only backends that are known
    #: to (and measured with it) say so.
    continues_answers: bool = False

    @abstractmethod
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
        """Yield the answer piece by piece. Raises the errors in ``errors``.

        When ``continues_answers`` and the last message is the assistant's, the answer continues
        that message, and only the text after it is yielded. ``repeat_penalty``: how much tokens
        already in the answer's last 64 are held back (1.0: not at all; None: the backend's own
        default, 1.1 for Ollama, 1.0 for llama.cpp; an OpenAI-compatible server has none)."""

    @abstractmethod
    def models(self) -> list[str]:
        """Names of the models this backend can answer with."""

    @abstractmethod
    def health(self) -> Health:
        """Whether the backend can answer now."""

    def count_tokens(self, text: str) -> int:
        """Token count used for history trimming; backends with a tokenizer override this."""
        return max(1, len(text) // 4)

    def context_tokens(self) -> int:
        """How many tokens fit in the model's window (prompt + answer)."""
        return 4096

    def warm_up(self, model: str | None = None) -> None:
        """Load what the first answer would load (an in-process model); servers need nothing."""
        return None

    def read_ahead(self, messages: list[Message], model: str | None = None) -> bool:
        """Read ``messages`` into the model's prompt cache now, so the next prompt that starts with
        them is answered sooner; True if it did. Servers keep their own caches: nothing to do."""
        return False


#: name -> factory(settings) -> LLM. Adding a backend = one file + one line here (see models/__init__).
LLM_BACKENDS: dict[str, Callable[..., LLM]] = {}
