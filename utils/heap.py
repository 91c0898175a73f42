"""Keep the garbage collector's full passes short in a process that holds large libraries."""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Collect once, then move every object alive now (imported libraries, loaded models) out of
    the collector's full passes (``gc.freeze``). Streamlit runs a full collection after every
    script run; with every model loaded each one held the interpreter lock for 0.1 s (~190,000
    objects; 0.2-0.37 s while torch was imported too), stalling an answer or a transcription
    under way. Objects created later are collected as usual; a model dropped later is freed by
    its reference count."""
    gc.collect()
    gc.freeze()
