"""Embedded llama.cpp engine (llama-cpp-python): works with no server at all.

By default it loads the packaged Qwen2.5-Coder-0.5B-Instruct; ``model`` may name any local GGUF
file instead. One model is loaded at a time and reused, so llama.cpp keeps the KV cache of the
previous prompt and only evaluates the tokens after the common prefix (the system prompt and
earlier turns). A lock serialises use: llama.cpp contexts are not thread-safe. Models are freed
at exit under that lock: a read-ahead still running in its thread when the interpreter shuts
down would otherwise crash the process (SIGSEGV) after its work was done.
"""

from __future__ import annotations

import atexit
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from config.settings import Settings
from errors import LLMStreamError, LLMUnavailable
from models.fast_weights import fast_or_packaged
from models.llm_base import LLM, GenerationStats, Health, Message
from models.packaged_gguf import DEFAULT, MODEL_NAME, PACKAGED, ensure_packaged_model

_ENGINES: weakref.WeakSet[LlamaCppLLM] = weakref.WeakSet()
# How long an exit waits for a read-ahead to end. A read-ahead is one prompt evaluation, which
# llama.cpp cannot interrupt; freeing the model or exiting under it crashes the process. It takes
# 1-2 s on a quiet AVX-512 CPU, but measured 5-8 s on a busy AVX2-only one (Zen 1).
READ_AHEAD_EXIT_WAIT_S = 60.0


class LlamaCppLLM(LLM):
    name = "embedded"
    continues_answers = True

    def __init__(self, settings: Settings):
        self._settings = settings
        self._llama: Any = None
        self._loaded_path: Path | None = None
        self._lock = threading.RLock()
        self.load_seconds: float | None = None
        self._vocab: Any = None  # a vocabulary-only instance, to count tokens before the model loads
        self._vocab_failed = False  # the model file cannot be read: estimate, without retrying per call
        self._reading_ahead = False  # a read-ahead holds the lock (it ends by itself, soon)
        _ENGINES.add(self)

    # --- loading --------------------------------------------------------------------
    def model_path(self, model: str | None = None) -> Path:
        """The GGUF file for ``model``: a path, or a built-in model's key ("fast", "better"),
        assembled from its packages on demand (and for the fast one, its faster IQ4_NL copy where
        ``builtin_weights`` wants it: models/fast_weights.py). None: GGUF_PATH, else the fast
        built-in model."""
        chosen = model or self._settings.gguf_path
        if chosen in PACKAGED:
            return self._packaged(chosen, "")
        if chosen:
            path = Path(chosen).expanduser()
            if not path.is_file():
                raise LLMUnavailable(f"The model file {path} does not exist. Check the GGUF path.")
            return path
        return self._packaged(DEFAULT, "The built-in model is not available: ")

    def _packaged(self, key: str, context: str) -> Path:
        try:
            path = ensure_packaged_model(self._settings.model_cache_dir, key=key)
        except (OSError, RuntimeError) as e:
            raise LLMUnavailable(f"{context}{e}") from e
        if PACKAGED[key].iq4_nl_copy:
            return fast_or_packaged(path, self._settings.builtin_weights)
        return path

    def load(self, model: str | None = None) -> Any:
        """Load (or reuse) the llama.cpp model for ``model``."""
        path = self.model_path(model)
        with self._lock:
            if self._llama is not None and self._loaded_path == path:
                return self._llama
            try:
                from llama_cpp import Llama
            except ImportError as e:
                raise LLMUnavailable(
                    "llama-cpp-python is not installed; run the setup again (./run.sh app)."
                ) from e
            started = time.perf_counter()
            self._llama = None  # free the previous model before loading the next
            try:
                self._llama = Llama(
                    model_path=str(path),
                    n_ctx=self._settings.llm_context_tokens,
                    n_threads=self._settings.threads,
                    n_batch=512,
                    flash_attn=True,  # +12% prompt tokens/s on 2 cores (BENCHMARKS.md)
                    verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as e:
                raise LLMUnavailable(f"{path.name} could not be loaded as a GGUF model ({e}).") from e
            self._loaded_path = path
            self.load_seconds = time.perf_counter() - started
            return self._llama

    def warm_up(self, model: str | None = None) -> None:
        self.load(model)

    def close(self, wait_s: float = 5.0) -> bool:
        """Free the model and the vocabulary once what uses them (a read-ahead takes 1-2 s) ends;
        False, and nothing freed, if that takes longer than ``wait_s``: an exit (Ctrl-C during a
        long answer) is never held up for long. A read-ahead under way is waited for longer
        (``READ_AHEAD_EXIT_WAIT_S``): it cannot be interrupted, and ends by itself."""
        if self._reading_ahead:
            wait_s = max(wait_s, READ_AHEAD_EXIT_WAIT_S)
        if not self._lock.acquire(timeout=wait_s):
            return False
        try:
            for llama in (self._llama, self._vocab):
                if llama is not None:
                    llama.close()
            self._llama = self._vocab = self._loaded_path = None
            return True
        finally:
            self._lock.release()

    def read_ahead(self, messages: list[Message], model: str | None = None) -> bool:
        """Evaluate ``messages`` (one token is generated and dropped) while nothing else runs: the
        next prompt starting with them only evaluates what follows. Never waits for an answer in
        progress, and never loads a model."""
        if not self._lock.acquire(blocking=False):
            return False
        self._reading_ahead = True
        try:
            if self._llama is None or self._loaded_path != self.model_path(model):
                return False
            self._llama.create_chat_completion(messages=list(messages), max_tokens=1, temperature=0.0)
            return True
        except (LLMUnavailable, ValueError, RuntimeError):
            return False  # the answer itself will say what is wrong
        finally:
            self._reading_ahead = False
            self._lock.release()

    # --- interface ------------------------------------------------------------------
    def health(self) -> Health:
        try:
            path = self.model_path()
        except LLMUnavailable as e:
            return Health(False, str(e))
        return Health(True, f"built-in engine: {path.name}")

    def models(self) -> list[str]:
        return [self._settings.gguf_path or MODEL_NAME]

    def context_tokens(self) -> int:
        return self._settings.llm_context_tokens

    def count_tokens(self, text: str) -> int:
        """Exact, with the model's own tokenizer; before the model is loaded its vocabulary alone
        is read (a few MB, ~0.1 s), so passages are trimmed alike for the first question and the next
        (a character estimate undercounts tables: Qwen spends one token per digit)."""
        tokenizer = self._llama or self._vocabulary()
        if tokenizer is None:
            return super().count_tokens(text)
        return len(tokenizer.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _vocabulary(self) -> Any:
        with self._lock:
            if self._vocab is None and not self._vocab_failed:
                try:
                    from llama_cpp import Llama

                    self._vocab = Llama(model_path=str(self.model_path()), vocab_only=True, verbose=False)
                except (ImportError, LLMUnavailable, ValueError, RuntimeError, OSError):
                    self._vocab_failed = True
            return self._vocab

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
        with self._lock:
            llama = self.load(model)
            if stats is not None:
                stats.model = self._loaded_path.stem if self._loaded_path else MODEL_NAME
            completion = 0
            try:
                penalty = 1.0 if repeat_penalty is None else repeat_penalty
                if messages and messages[-1]["role"] == "assistant":
                    chunks = _continue_answer(llama, messages, max_tokens, temperature, penalty)
                else:
                    chunks = llama.create_chat_completion(
                        messages=list(messages),
                        stream=True,
                        max_tokens=max_tokens,
                        temperature=temperature,
                        repeat_penalty=penalty,
                    )
                for chunk in chunks:
                    text = _chunk_text(chunk)
                    if text:
                        completion += 1
                        yield text
            except ValueError as e:  # e.g. the prompt does not fit in the context window
                raise LLMStreamError(f"The built-in model could not answer: {e}") from e
            finally:
                if stats is not None:
                    stats.completion_tokens = completion
                    stats.prompt_tokens = max(0, llama.n_tokens - completion)


def _continue_answer(
    llama: Any, messages: list[Message], max_tokens: int, temperature: float, repeat_penalty: float
) -> Iterator[Any]:
    """Stream the continuation of the final assistant message: the conversation before it is
    rendered with the model's own chat template exactly as ``create_chat_completion`` renders it
    (so the prompt cache still matches), the assistant's start is appended, and the model goes on."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llama.metadata.get("tokenizer.chat_template")
    if not template:
        raise ValueError("this model has no chat template to continue an answer with")
    eos, bos = llama.token_eos(), llama.token_bos()

    def text(token: int) -> str:
        return llama.detokenize([token], special=True).decode("utf-8") if token != -1 else ""

    formatter = Jinja2ChatFormatter(template, eos_token=text(eos), bos_token=text(bos), stop_token_ids=[eos])
    result = formatter(messages=list(messages[:-1]))
    prompt = (result.prompt + messages[-1]["content"]).encode("utf-8")
    tokens = llama.tokenize(prompt, add_bos=not result.added_special, special=True)
    return llama.create_completion(
        prompt=tokens,
        stream=True,
        max_tokens=max_tokens,
        temperature=temperature,
        repeat_penalty=repeat_penalty,
        stop=result.stop,
        stopping_criteria=result.stopping_criteria,
    )


def _chunk_text(chunk: Any) -> str:
    """The text of a streamed chat chunk (``delta.content``) or completion chunk (``text``)."""
    choice = chunk["choices"][0]
    return (choice["delta"].get("content") if "delta" in choice else choice.get("text")) or ""


@atexit.register
def _close_engines() -> None:
    """Runs before the interpreter tears down modules, while daemon threads may still be in llama.cpp."""
    for engine in list(_ENGINES):
        engine.close()
