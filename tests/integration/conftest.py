"""Shared real-model fixtures: the three dev filings ingested once per test session (CLI, real embedder)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SHARED

DEV = SHARED / "data" / "rag-dev"
ENV = {**os.environ, "HF_HUB_OFFLINE": "1"}


def cli(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "cli.py", *map(str, args)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def dev_kb_ingest(tmp_path_factory):
    kb = tmp_path_factory.mktemp("dev-kb")
    out = cli(
        "ingest",
        "--kb",
        kb,
        *sorted((DEV / "pdfs").glob("*.pdf")),
        SHARED / "data" / "badpdfs" / "378014596.pdf",
    )
    out.kb_dir = kb
    return out


@pytest.fixture(scope="session")
def dev_kb(dev_kb_ingest):
    return dev_kb_ingest.kb_dir
