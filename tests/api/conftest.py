"""Fixtures for the API tests: a real server per test on fakes (tests/api/live.py)."""

from __future__ import annotations

import httpx
import pytest

from tests.api.live import build, serve
from tests.fakes import FakeEmbedder


@pytest.fixture(autouse=True)
def fake_embedder(monkeypatch):
    """Knowledge bases other than the FakeKnowledgeBase are real, with FakeEmbedder vectors."""
    import retrieval.embeddings.embedder as embedder

    shared = FakeEmbedder()
    monkeypatch.setattr(embedder, "shared_embedder", lambda: shared)
    return shared


@pytest.fixture
def live(tmp_path):
    """``live(**build_options)`` -> (server, assistant, client); stopped after the test."""
    started = []

    def start(require_keys: bool = False, assistant=None, **options):
        assistant = assistant or build(tmp_path, **options)
        server = serve(assistant, require_keys).__enter__()
        client = httpx.Client(base_url=server.url, timeout=30)
        started.append((server, client))
        return server, assistant, client

    yield start
    for server, client in started:
        client.close()
        server.__exit__(None, None, None)
