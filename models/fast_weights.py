"""A copy of the built-in model's weights that llama.cpp reads about twice as fast on x86 CPUs.

The packaged Qwen2.5-0.5B GGUF is called Q4_K_M, but most of its matrices are Q5_0: rows 896
values wide do not fit K-quants' blocks of 256. llama.cpp has no repacked (row-interleaved)
kernels for Q5_0; it has them for IQ4_NL on every CPU with AVX2. ``ensure_fast_copy``
requantises the packaged file to IQ4_NL once (about 2 s; the file sits beside it in the cache),
and the built-in engine loads that copy where the CPU has AVX2 (``builtin_weights = "auto"``).
A CPU without AVX2 gets no repacked kernels, so it keeps the packaged weights.

What it costs (BENCHMARKS.md): 4 bits instead of 5 for most matrices, perplexity +5 % on
filings and README text, and on rag-bench one figure fewer found of 77 (23 against 24). What it
buys: prompts read 2.0x and answers written 1.5x as fast on Zen 5 (AVX-512).
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import threading
from collections.abc import Iterator, Set
from contextlib import contextmanager
from pathlib import Path

from utils.cpu import cpu_flags

WEIGHTS = ("auto", "iq4_nl", "packaged")
log = logging.getLogger(__name__)
_writing = threading.Lock()  # one copy written at a time (the warm-up and a first question race)


def wants_fast_copy(choice: str, flags: Set[str] | None = None) -> bool:
    """Whether to load the IQ4_NL copy: "iq4_nl" always, "packaged" never, "auto" where llama.cpp
    has repacked IQ4_NL kernels for the CPU (AVX2; ``flags``: /proc/cpuinfo's by default)."""
    if choice not in WEIGHTS:
        raise ValueError(f"builtin_weights must be one of {', '.join(WEIGHTS)}, not {choice!r}")
    if choice == "auto":
        return "avx2" in (cpu_flags() if flags is None else flags)
    return choice == "iq4_nl"


def fast_copy_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}-iq4_nl.gguf")


def ensure_fast_copy(source: Path) -> Path:
    """The IQ4_NL copy of ``source``, written on first use (to a temporary name, then renamed, so
    a killed run never leaves half a file); raises RuntimeError when llama.cpp cannot write it."""
    target = fast_copy_path(source)
    with _writing:
        if not target.is_file():
            _requantise(source, target)
    return target


def _requantise(source: Path, target: Path) -> None:
    try:
        import llama_cpp
    except ImportError as e:
        raise RuntimeError("llama-cpp-python is not installed") from e
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_IQ4_NL
    params.allow_requantize = True  # the source is already quantised
    params.nthread = os.cpu_count() or 2
    try:
        with _stderr_silenced():  # a warning per 896-wide tensor it keeps in 5 bits (attn_v)
            code = llama_cpp.llama_model_quantize(
                str(source).encode(), str(tmp).encode(), ctypes.byref(params)
            )
        if code != 0 or not tmp.is_file():
            raise RuntimeError(f"llama.cpp could not requantise {source.name} (code {code})")
        with open(tmp, "rb") as written:
            os.fsync(written.fileno())  # whole on disk before it gets the name that says it is done
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Send what C code writes to stderr (file descriptor 2) nowhere meanwhile: the whole
    process's, for the 2 s the copy takes (setup writes it, so the app rarely does)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def fast_or_packaged(source: Path, choice: str) -> Path:
    """The file the built-in engine loads for the packaged ``source``: its IQ4_NL copy where
    ``choice`` wants one and it can be written, else ``source`` itself (with a log line)."""
    try:
        return ensure_fast_copy(source) if wants_fast_copy(choice) else source
    except (RuntimeError, OSError, ValueError) as e:
        log.warning("Using the packaged weights: the faster copy could not be written (%s).", e)
        return source


if __name__ == "__main__":  # python -m models.fast_weights: write the copy at setup
    from config.settings import Settings
    from models.packaged_gguf import DEFAULT, ensure_packaged_model

    settings = Settings.from_env()
    packaged = ensure_packaged_model(settings.model_cache_dir, key=DEFAULT)
    path = fast_or_packaged(packaged, settings.builtin_weights)
    print(f"built-in model weights: {path.name}", file=sys.stderr)
