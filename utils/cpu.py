"""What this CPU can do: the instruction-set flags the kernel reports."""

from __future__ import annotations

import functools

SIMD_FLAGS = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "avx_vnni")
"""The flags that decide which engine path is fastest; benchmarks print these."""


@functools.cache
def cpu_flags() -> frozenset[str]:
    """Every flag /proc/cpuinfo reports for this CPU (empty where there is none), read once: the
    built-in engine asks on every answer which weights to load."""
    try:
        with open("/proc/cpuinfo") as f:
            return frozenset(next((line for line in f if line.startswith("flags")), "").split())
    except OSError:
        return frozenset()


def simd_flags() -> str:
    """The SIMD_FLAGS this CPU has, space-separated (printed beside every measurement)."""
    present = cpu_flags()
    return " ".join(f for f in SIMD_FLAGS if f in present)
