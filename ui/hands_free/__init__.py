"""The "Hands-free" listener: a Streamlit component that runs voice-activity detection in the
browser and sends each utterance to the app (frontend/main.js). Rendering only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

FRONTEND = Path(__file__).resolve().parent / "frontend"
VENDOR_FILES = (
    "bundle.min.js",
    "vad.worklet.bundle.min.js",
    "silero_vad_legacy.onnx",
    "ort.wasm.min.js",
    "ort-wasm-simd-threaded.wasm",
    "ort-wasm-simd-threaded.mjs",
)
_listener = components.declare_component("hands_free", path=str(FRONTEND))


def listener_installed() -> bool:
    """Whether setup bundled the voice-detection files (npm, at setup; never fetched at run time)."""
    return all((FRONTEND / "vendor" / name).is_file() for name in VENDOR_FILES)


def hands_free_listener(answered: int, pause_ms: int, min_speech_ms: int, head_start: bool) -> Any:
    """Render the listener; its latest value (an utterance, the words so far for a head start, a
    barge-in or an error) or None."""
    return _listener(
        answered=answered,
        pause_ms=pause_ms,
        min_speech_ms=min_speech_ms,
        head_start=head_start,
        key="hands_free_listener",
        default=None,
    )
