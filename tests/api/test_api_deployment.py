"""How the API is started: ``./run.sh api``, the compose service beside the app, and its
runtime dependencies pinned (Docker cannot run here, so the files are checked)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT


def test_run_sh_serves_the_api_module():
    run_sh = (ROOT / "run.sh").read_text()
    block = run_sh[run_sh.index("  api)") : run_sh.index(";;", run_sh.index("  api)"))]
    assert "scripts/setup.sh" in block and '-m entries.api "$@"' in block


def test_compose_runs_the_api_beside_the_app_on_the_same_data_published_on_loopback():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    api, app = services["api"], services["app"]
    assert api["build"] == app["build"] == "."
    assert (
        "app-data:/data" in api["volumes"]
        and api["environment"]["DATA_DIR"] == app["environment"]["DATA_DIR"]
    )
    assert api["command"][1:3] == ["-m", "entries.api"] and "0.0.0.0" in api["command"]  # so it needs a key
    assert api["ports"] == ["127.0.0.1:${API_PORT:-8000}:8000"]
    assert "/v1/health" in " ".join(api["healthcheck"]["test"])


def test_the_api_stack_is_a_pinned_runtime_dependency():
    runtime = (ROOT / "requirements.txt").read_text()
    for package in ("fastapi", "uvicorn", "python-multipart"):
        assert re.search(rf"^{package}==\d", runtime, re.M), package
    dev = (ROOT / "requirements-dev.txt").read_text()
    assert not re.search(r"^(fastapi|uvicorn)\b", dev, re.M)
