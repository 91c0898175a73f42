"""Docker cannot run here, so the compose file and Dockerfile are checked for what they promise."""

from __future__ import annotations

import tomllib

import yaml

from tests.conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_runs_app_with_an_ollama_sidecar():
    services = compose()["services"]
    assert services["ollama"]["image"].startswith("ollama/ollama")
    app = services["app"]
    assert app["environment"]["OLLAMA_BASE_URL"] == "http://ollama:11434"
    assert app["depends_on"]["ollama"]["condition"] == "service_healthy"


def test_compose_healthchecks():
    services = compose()["services"]
    assert "ollama" in " ".join(services["ollama"]["healthcheck"]["test"])
    assert "/_stcore/health" in " ".join(services["app"]["healthcheck"]["test"])


def test_compose_pulls_the_default_model_once():
    pull = compose()["services"]["ollama-pull"]
    assert pull["restart"] == "no"
    assert pull["entrypoint"][:2] == ["ollama", "pull"] and "OLLAMA_MODEL" in pull["entrypoint"][2]
    assert pull["environment"]["OLLAMA_HOST"] == "http://ollama:11434"
    assert pull["depends_on"]["ollama"]["condition"] == "service_healthy"


def test_compose_named_volumes_and_local_only_port():
    doc = compose()
    assert set(doc["volumes"]) == {"app-data", "ollama-models", "pg-data"}
    assert "ollama-models:/root/.ollama" in doc["services"]["ollama"]["volumes"]
    assert "app-data:/data" in doc["services"]["app"]["volumes"]
    assert doc["services"]["app"]["ports"] == ["127.0.0.1:8501:8501"]


def test_dockerfile_uses_the_readme_install_and_binds_all_interfaces_only_inside():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "scripts/setup.sh" in dockerfile
    assert "--server.address=0.0.0.0" in dockerfile
    assert "/_stcore/health" in dockerfile
    readme = (ROOT / "README.md").read_text()
    assert "./run.sh app" in readme and "./run.sh test" in readme
    run_sh = (ROOT / "run.sh").read_text()
    assert "scripts/setup.sh" in run_sh


def test_streamlit_binds_localhost_by_default():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["runner"]["fastReruns"] is False


def test_streamlit_listens_on_loopback_and_only_local_host_names_may_open_its_websocket():
    server = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]
    assert server["address"] == "127.0.0.1"
    assert set(server["allowedHosts"]) == {"localhost", "127.0.0.1", "::1"}


def test_compose_says_the_app_is_published_on_loopback_only():
    app = compose()["services"]["app"]
    assert app["ports"] == ["127.0.0.1:8501:8501"]
    assert app["environment"]["EXPOSED_ADDRESS"] == "127.0.0.1"  # so no exposure banner in docker


def test_dockerfile_copies_the_app_before_setup_runs_its_modules():
    # setup.sh runs `python -m models.fast_weights`, `retrieval.embeddings.prepare`, the engine's
    # smoke test and the hands-free bundle: each must be in the image when it runs.
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    setup = next(i for i, line in enumerate(lines) if line.startswith("RUN") and "scripts/setup.sh" in line)
    assert "COPY . ." in lines[:setup]
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "data", ".git"} <= set(ignored)


def test_compose_has_a_postgres_service_with_pgvector_used_through_database_url():
    services = compose()["services"]
    postgres = services["postgres"]
    assert postgres["image"].startswith("pgvector/pgvector:") and postgres["profiles"] == ["postgres"]
    assert "pg-data:/var/lib/postgresql/data" in postgres["volumes"]
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert "ports" not in postgres  # reached by the app and the API on compose's network only
    for name in ("app", "api"):
        assert services[name]["environment"]["DATABASE_URL"] == "${DATABASE_URL:-}"
