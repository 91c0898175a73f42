"""What this CPU can do: the instruction-set flags the kernel reports."""

from __future__ import annotations

SIMD_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "avx_vnni")
"""The flags that decide which engine path is fastest; benchmarks print these."""


def cpu_flags() -> set[str]:
    """Every flag /proc/cpuinfo reports for this CPU (empty where there is none)."""
    try:
        with open("/proc/cpuinfo") as f:
            return set(next((line for line in f if line.startswith("flags")), "").split())
    except OSError:
        return set()
