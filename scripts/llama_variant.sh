#!/usr/bin/env bash
# Which llama.cpp build fits this CPU: prints two lines, the variant name and its CMake arguments.
#   scripts/llama_variant.sh [auto|NAME]      NAME: a variant name this script prints, or
#                                             avx512, avx2, generic
# CPU_FLAGS overrides /proc/cpuinfo (the tests pass the flags of CPUs this machine is not).
#
# Every instruction set is switched on only when the CPU reports it, and the variant's name lists
# them, so a wheel cached under that name is never installed on a CPU lacking one of them (it
# would die with an illegal instruction). AMX stays off everywhere: it crashes in these virtual
# machines (ENGINES.md). GGML_NATIVE stays off: with it AMX is compiled in whatever the flags say.
set -euo pipefail

flags=" ${CPU_FLAGS:-$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | cut -d: -f2 || true)} "
has() { [[ "$flags" == *" $1 "* ]]; }
common="-DGGML_NATIVE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_BF16=OFF"
avx2="-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
off="-DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AVX_VNNI=OFF"

# The variant this CPU can run: AVX-512 (F, CD, VL, DQ, BW: what GGML_AVX512 compiles for) with
# whichever of VBMI, VNNI and BF16 it has; else AVX2 (with AVX-VNNI where present); else generic.
detect() {
  if has avx512f && has avx512cd && has avx512vl && has avx512dq && has avx512bw && has avx2 && has fma && has f16c; then
    local name=avx512
    has avx512vbmi && name+=-vbmi
    has avx512_vnni && name+=-vnni
    has avx512_bf16 && name+=-bf16
    echo "$name"
  elif has avx2 && has fma && has f16c; then
    if has avx_vnni; then echo avx2-vnni; else echo avx2; fi
  else
    echo generic
  fi
}

variant="${1:-auto}"
[[ "$variant" == auto ]] && variant="$(detect)"
case "$variant" in
  generic) args="-DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF $off" ;;
  avx2) args="$avx2 $off" ;;
  avx2-vnni) args="$avx2 ${off/-DGGML_AVX_VNNI=OFF/-DGGML_AVX_VNNI=ON}" ;;
  avx512 | avx512-*)
    args="$avx2 -DGGML_AVX512=ON -DGGML_AVX_VNNI=OFF"
    rest="${variant#avx512}" canonical=avx512
    for feature in vbmi vnni bf16; do
      upper="${feature^^}"
      if [[ "$rest" == *"-$feature"* ]]; then
        args+=" -DGGML_AVX512_$upper=ON" canonical+="-$feature"
      else
        args+=" -DGGML_AVX512_$upper=OFF"
      fi
      rest="${rest/-$feature/}"
    done
    if [[ -n "$rest" ]]; then
      echo "unknown llama.cpp variant: $variant" >&2
      exit 2
    fi
    variant="$canonical"  # one name (and one cached wheel) per set of instructions
    ;;
  *)
    echo "unknown llama.cpp variant: $variant (use auto, generic, avx2, avx2-vnni or avx512[-vbmi][-vnni][-bf16])" >&2
    exit 2
    ;;
esac
echo "$variant"
echo "$common $args"
