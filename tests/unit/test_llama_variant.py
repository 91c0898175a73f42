"""scripts/llama_variant.sh: the llama.cpp build each kind of CPU gets (flags as /proc/cpuinfo
reports them on real machines of each kind)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "llama_variant.sh"
AVX2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx avx2 fma f16c bmi2"
AVX512 = "avx512f avx512dq avx512cd avx512bw avx512vl"
CPUS = {
    # Sapphire Rapids (this machine's kind): everything, AMX still off
    "sapphire rapids": f"{AVX2} {AVX512} avx512ifma avx512vbmi avx512_vnni avx512_bf16 amx_tile amx_bf16",
    # Ice Lake server: AVX-512 with VBMI and VNNI, no BF16 (the machine)
    "ice lake": f"{AVX2} {AVX512} avx512ifma avx512vbmi avx512_vbmi2 avx512_vnni avx512_bitalg",
    # Cascade Lake: VNNI but no VBMI
    "cascade lake": f"{AVX2} {AVX512} avx512_vnni",
    # Skylake-SP: AVX-512 base only
    "skylake-sp": f"{AVX2} {AVX512}",
    # AMD Zen 4
    "zen 4": f"{AVX2} {AVX512} avx512ifma avx512vbmi avx512_vnni avx512_bf16",
    # Alder Lake laptop: AVX2 with AVX-VNNI, no AVX-512
    "alder lake": f"{AVX2} avx_vnni",
    # An AVX2 laptop (Haswell, Zen 2)
    "haswell": AVX2,
    # Older or unknown: no AVX2
    "old": "fpu sse sse2 ssse3 avx",
}
EXPECTED = {
    "sapphire rapids": "avx512-vbmi-vnni-bf16",
    "ice lake": "avx512-vbmi-vnni",
    "cascade lake": "avx512-vnni",
    "skylake-sp": "avx512",
    "zen 4": "avx512-vbmi-vnni-bf16",
    "alder lake": "avx2-vnni",
    "haswell": "avx2",
    "old": "generic",
}


def variant(flags: str, *args: str) -> tuple[str, set[str]]:
    out = subprocess.run(
        ["bash", str(SCRIPT), *args],
        env={**os.environ, "CPU_FLAGS": flags},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return out[0], set(out[1].split())


@pytest.mark.parametrize("cpu", CPUS)
def test_each_cpu_kind_gets_a_build_using_only_its_instructions(cpu):
    name, args = variant(CPUS[cpu])
    assert name == EXPECTED[cpu]
    flags = set(CPUS[cpu].split())
    needs = {
        "-DGGML_AVX2=ON": "avx2",
        "-DGGML_AVX512=ON": "avx512f",
        "-DGGML_AVX512_VBMI=ON": "avx512vbmi",
        "-DGGML_AVX512_VNNI=ON": "avx512_vnni",
        "-DGGML_AVX512_BF16=ON": "avx512_bf16",
        "-DGGML_AVX_VNNI=ON": "avx_vnni",
    }
    for arg, flag in needs.items():
        if arg in args:
            assert flag in flags, f"{cpu}: {arg} without {flag}"
    # AMX crashes in these virtual machines; a native build would compile it in
    assert {"-DGGML_NATIVE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_BF16=OFF"} <= args


def test_the_ice_lake_build_is_avx512_not_avx2():
    _, args = variant(CPUS["ice lake"])
    assert {"-DGGML_AVX512=ON", "-DGGML_AVX512_VNNI=ON", "-DGGML_AVX512_BF16=OFF"} <= args


def test_an_override_is_named_canonically_so_one_wheel_serves_it():
    assert variant(CPUS["old"], "avx512-bf16-vnni")[0] == "avx512-vnni-bf16"
    assert variant(CPUS["old"], "avx2")[0] == "avx2"


def test_an_unknown_override_is_refused():
    result = subprocess.run(["bash", str(SCRIPT), "avx512-fast"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "unknown llama.cpp variant" in result.stderr
