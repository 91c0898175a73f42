"""Give freed heap memory back to the operating system.

glibc keeps the pages freed after large temporary allocations (an upload's page texts, embedding
batches) in the process, so resident memory stays at its peak: after ingesting the three rag-dev
filings, 1,105 MiB resident, 612 MiB after ``malloc_trim(0)`` (BENCHMARKS.md, issue 8).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys


def release_free_memory() -> None:
    """Return free heap pages to the OS (glibc only; elsewhere nothing to do)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return
