"""The HTTP API end to end with the real parts: ``python -m entries.api`` in its own process on
a data folder holding the three dev filings (ingested by the shared ``dev_kb`` fixture with the
real embedder), answering through the real built-in llama.cpp model; a PDF uploaded over HTTP and
answered from; the official openai client, streamed and not."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time

import httpx
import openai
import pytest

from tests.api.live import free_port
from tests.conftest import ROOT
from tests.integration.conftest import ENV
from tests.pdf_maker import text_pdf

MEMO = ["Acme Corporation quarterly memo, second quarter 2024", "Acme total revenue was $12,345 million."]


@pytest.fixture(scope="module")
def server(dev_kb, tmp_path_factory):
    data = tmp_path_factory.mktemp("api-data")
    shutil.copytree(dev_kb, data / "kb")  # "My documents" of this data folder: the dev filings
    env = {**ENV, "DATA_DIR": str(data), "LLM_BACKEND": "embedded", "READ_AHEAD": "false"}
    env["MAX_ANSWER_TOKENS"] = "60"
    made = subprocess.run(
        [sys.executable, "cli.py", "api-key", "create", "it"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    port = free_port()
    log = open(data / "server.log", "w+")  # noqa: SIM115 - read after the server stops
    process = subprocess.Popen(
        [sys.executable, "-m", "entries.api", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, (data / "server.log").read_text()
        time.sleep(0.2)
    yield url, made.stdout.strip(), data
    process.terminate()
    process.wait(30)
    log.seek(0)
    text = log.read()
    log.close()
    assert "Traceback" not in text and "ERROR" not in text, text


def test_a_cited_answer_from_the_dev_filings_through_the_openai_client(server):
    url, key, _ = server
    client = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=300)
    assert "kb/My documents" in [m.id for m in client.models.list()]
    completion = client.chat.completions.create(
        model="kb/My documents",
        messages=[
            {"role": "user", "content": "What was NVIDIA's revenue for the quarter ended April 30, 2023?"}
        ],
    )
    answer = completion.choices[0].message.content
    sources = completion.model_extra["sources"]
    assert sources[0]["file"] == "2023 Q1 NVDA.pdf" and "[1]" in answer
    assert "7,192" in answer or "7.19" in answer, answer


def test_a_pdf_uploaded_over_http_is_answered_from_streamed(server):
    url, key, _ = server
    auth = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=auth, timeout=300) as http:
        kb = http.post("/v1/knowledge-bases", json={"name": "Memos"}).json()["id"]
        files = [("files", ("memo.pdf", text_pdf(MEMO), "application/pdf"))]
        job = http.post(f"/v1/knowledge-bases/{kb}/documents?wait=true", files=files).json()
        assert job["files"][0]["ok"], job
        hits = http.post(f"/v1/knowledge-bases/{kb}/search", json={"query": "Acme total revenue"}).json()[
            "hits"
        ]
        assert hits and hits[0]["file"] == "memo.pdf" and hits[0]["page_start"] == 1
    client = openai.OpenAI(base_url=url + "/v1", api_key=key, max_retries=0, timeout=300)
    stream = client.chat.completions.create(
        model="kb/Memos",
        messages=[{"role": "user", "content": "What was Acme's total revenue?"}],
        stream=True,
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    final = chunks[-1].model_extra
    assert final["sources"][0]["file"] == "memo.pdf" and "[1]" in final["answer"]
    assert "12,345" in text, text
