"""What every benchmark shares: the CPU it ran on, and the unrelated questions of the retrieval benches."""

from __future__ import annotations

import platform
from pathlib import Path

UNRELATED = Path(__file__).with_name("unrelated_questions.txt")


def cpu_flags() -> str:
    """The SIMD flags of this CPU that matter for the engines (printed with every result)."""
    from utils.cpu import simd_flags

    return simd_flags() or platform.processor()


def unrelated_questions() -> list[str]:
    lines = UNRELATED.read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]
