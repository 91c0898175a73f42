#!/usr/bin/env bash
# ./run.sh app    set up (first time) and start the app on http://127.0.0.1:8501
# ./run.sh api    set up (first time) and serve the HTTP API on http://127.0.0.1:${API_PORT:-8000}
#                 (API_HOST for another address: then only with API keys, cli.py api-key create NAME)
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
  api)
    scripts/setup.sh
    shift || true
    exec "$VENV/bin/python" -m entries.api "$@"
    ;;
  test)
    scripts/setup.sh --dev
    shift || true
    "$VENV/bin/ruff" check .
    "$VENV/bin/lint-imports" --no-logo
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./run.sh [app|api|test] [extra args]" >&2
    exit 2
    ;;
esac
