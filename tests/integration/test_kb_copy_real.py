"""``cli.py kb copy`` end to end: real files ingested by the CLI into SQLite with the real embedder,
copied to a real PostgreSQL + pgvector server and back, searched on each side."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

from tests.conftest import ROOT
from tests.storage.conftest import pg_url  # noqa: F401  (the real server fixture)

FILES = [ROOT / "tests/data/html/daringfireball-1.html", ROOT / "tests/data/html/keep-tabular-data.html"]
QUESTIONS = [
    "Who hosts the Daring Fireball website?",
    "What is next week dedicated to before the 0.17.0 release?",
]


def test_kb_copy_to_postgres_and_back(tmp_path, pg_url):  # noqa: F811
    assert all(f.is_file() for f in FILES)
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    on_sqlite = {**base, "DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    on_postgres = {**on_sqlite, "DATABASE_URL": pg_url}

    def cli(env, *args):
        return subprocess.run(
            [sys.executable, "cli.py", *map(str, args)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def hits(env):
        found = cli(env, "search", "--kb", "Notes", "--json", "-k", "3", *QUESTIONS)
        assert found.returncode == 0, found.stderr
        return [json.loads(line) for line in found.stdout.strip().splitlines()]

    added = cli(on_sqlite, "ingest", "--kb", "Notes", *FILES)
    assert added.returncode == 0 and "2 added" in added.stdout, added.stdout + added.stderr
    before = hits(on_sqlite)
    assert all(before)

    there = cli(on_postgres, "kb", "copy", "--to", "postgres", "--kb", "Notes")
    assert there.returncode == 0, there.stdout + there.stderr
    assert "copied 2 documents, 0 already there" in there.stdout
    assert re.search(r"sample searches: ([1-9]) of \1 with the same top hit", there.stdout), there.stdout
    assert there.stdout.strip().endswith("OK: the copy matches")
    assert hits(on_postgres) == before

    again = cli(on_postgres, "kb", "copy", "--to", "postgres", "--all")  # My documents (empty) too
    assert again.returncode == 0 and "copied 0 documents, 2 already there" in again.stdout
    assert again.stdout.startswith("# My documents\n") and "\n# Notes\n" in again.stdout

    folder = next((tmp_path / "data" / "collections").iterdir())
    for file in folder.glob("kb.sqlite3*"):  # a new machine: only the PostgreSQL copy is left
        file.unlink()
    assert cli(on_sqlite, "search", "--kb", "Notes", "--json", QUESTIONS[0]).stdout.strip() == "[]"
    back = cli(on_postgres, "kb", "copy", "--to", "sqlite", "--kb", "Notes")
    assert back.returncode == 0 and "copied 2 documents" in back.stdout, back.stdout + back.stderr
    assert hits(on_sqlite) == before

    unset = cli(on_sqlite, "kb", "copy", "--to", "postgres", "--kb", "Notes")
    assert unset.returncode == 1 and "Set DATABASE_URL" in unset.stderr
