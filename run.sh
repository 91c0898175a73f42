#!/usr/bin/env bash
# ./run.sh app    set up (first time) and start the app on http://127.0.0.1:8501
# ./run.sh test   set up (first time, with test tools) and run the whole test suite
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
VENV="${VENV_DIR:-.venv}"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
case "${1:-app}" in
  app)
    scripts/setup.sh
    shift || true
    exec "$VENV/bin/streamlit" run app.py "$@"
    ;;
  test)
    scripts/setup.sh --dev
    shift || true
    "$VENV/bin/ruff" check .
    "$VENV/bin/lint-imports" --no-logo
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./run.sh [app|test] [extra args]" >&2
    exit 2
    ;;
esac
