"""Keep the garbage collector's full passes short in a process that holds large libraries."""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Collect once, then move every object alive now (imported libraries, loaded models) out of
    the collector's full passes (``gc.freeze``). Streamlit runs a full collection after every
    script run; with torch and transformers loaded (~350,000 objects) each one held the
    interpreter lock for 0.2-0.37 s, stalling an answer or a transcription under way. Objects
    created later are collected as usual; a model dropped later is freed by its reference count."""
    gc.collect()
    gc.freeze()
