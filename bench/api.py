"""The HTTP API against the same assistant in-process: time to first token, search throughput,
and the server's memory, in one run on the real server (uvicorn, as ``./run.sh api`` starts it).

    python bench/api.py [--rounds 5] [--requests 48] [--pdf "2023 Q1 NVDA.pdf"]

It serves ``python -m entries.api`` on a free 127.0.0.1 port with a temporary DATA_DIR, uploads
one rag-dev filing through the API (``?wait=true``), then measures:

- **time to first token**: the same question streamed through ``POST /v1/chat/stream`` (SSE,
  the first ``token`` event) and asked in this process through core (a new chat, then
  ``answers.ask``, the first Token), alternating which goes first, after one warm-up round of
  each; both answer with the built-in model from the same knowledge base, and each answer is
  stopped at its first token. Each round asks another of the filing's questions (rag-dev's
  qa.jsonl), the same one of both: the model reads its new passages in both processes (with one
  question repeated, llama.cpp's prompt cache makes the answer start at once or not depending on
  how many tokens the stopped answer before had made, which a stream stopped from another
  process does not control). p50 of each and their difference, the API's overhead; the same for
  the time to the ``sources`` event (before the model: the overhead without its noise).
- **search**: requests/s (and p50 latency) of ``POST /v1/knowledge-bases/{kb}/search`` with 1
  and 8 concurrent clients (the clients run on the same CPU as the server), and the same
  searches in-process.
- **memory**: resident memory (VmRSS) and its peak (VmHWM) of the server process after the
  upload (embedder loaded), after the answers (LLM loaded) and after the searches.

Both processes hold their own models; only one of them works at a time. The load average is
printed before and after: another job on the machine makes every figure slower.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import httpx  # noqa: E402

from bench.common import cpu_flags  # noqa: E402

RAG_DEV = ROOT.parent / "shared" / "data" / "rag-dev"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mib(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM of process ``pid``, in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


class Server:
    """``python -m entries.api`` on ``port`` with DATA_DIR ``data``, its log in ``data/api.log``."""

    def __init__(self, data: Path, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.log = data / "api.log"
        env = {**os.environ, "DATA_DIR": str(data), "API_PORT": str(port), "API_HOST": "127.0.0.1"}
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "entries.api"], cwd=ROOT, env=env, stdout=log, stderr=log
            )

    def wait_up(self, timeout_s: float = 120) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the API server exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the API server did not answer /v1/health in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def questions_for(pdf: str) -> list[str]:
    rows = [json.loads(line) for line in (RAG_DEV / "qa.jsonl").read_text().splitlines() if line.strip()]
    mine = [r["question"] for r in rows if r.get("source_file") == pdf]
    return mine if len(mine) >= 2 else [r["question"] for r in rows]


def api_first_token(client: httpx.Client, kb: str, question: str) -> tuple[float, float]:
    """Seconds from sending the question to the ``sources`` event and to the first ``token``
    event; the stream is then closed (the server stops the answer, as for a client that goes away)."""
    body = {"message": question, "knowledge_base": kb, "backend": "embedded"}
    started = time.perf_counter()
    sources_s = 0.0
    with client.stream("POST", "/v1/chat/stream", json=body) as response:
        response.raise_for_status()
        failed = False
        for line in response.iter_lines():
            if line == "event: sources":
                sources_s = time.perf_counter() - started
            if line == "event: token":
                return sources_s, time.perf_counter() - started
            if failed and line.startswith("data:"):
                raise RuntimeError(f"the API answered with an error: {line[5:].strip()}")
            failed = failed or line == "event: error"
    raise RuntimeError("the stream ended without a token")


def core_first_token(assistant, kb: str, question: str) -> tuple[float, float]:
    """The same in this process: a new chat, then the answer's Sources and first Token; then it
    is stopped."""
    from core.events import Error, Sources, Token
    from core.options import AskOptions

    options = AskOptions(backend="embedded", use_documents=True, collection=kb)
    started = time.perf_counter()
    sources_s = 0.0
    conversation = assistant.chats.new(collection=kb)
    events = assistant.answers.ask(conversation.id, question, options)
    try:
        for event in events:
            if isinstance(event, Sources):
                sources_s = time.perf_counter() - started
            if isinstance(event, Token):
                return sources_s, time.perf_counter() - started
            if isinstance(event, Error):
                raise RuntimeError(f"the answer failed: {event.text}")
    finally:
        events.close()
    raise RuntimeError("the answer ended without a token")


def search_rate(url: str, kb: str, queries: list[str], clients: int, requests: int) -> tuple[float, float]:
    """(requests/s, p50 latency s) of ``requests`` searches spread over ``clients`` threads."""

    def worker(share: list[str]) -> list[float]:
        times = []
        with httpx.Client(base_url=url, timeout=60) as client:
            for query in share:
                started = time.perf_counter()
                r = client.post(f"/v1/knowledge-bases/{kb}/search", json={"query": query, "k": 3})
                r.raise_for_status()
                times.append(time.perf_counter() - started)
        return times

    work = [queries[i % len(queries)] for i in range(requests)]
    shares = [work[i::clients] for i in range(clients)]
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = [t for times in pool.map(worker, shares) for t in times]
    return requests / (time.perf_counter() - started), statistics.median(latencies)


def core_search_rate(assistant, kb: str, queries: list[str], requests: int) -> tuple[float, float]:
    times = []
    started = time.perf_counter()
    for i in range(requests):
        t = time.perf_counter()
        assistant.library.search(queries[i % len(queries)], 3, kb)
        times.append(time.perf_counter() - t)
    return requests / (time.perf_counter() - started), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds of time to first token")
    parser.add_argument("--requests", type=int, default=48, help="searches per concurrency level")
    parser.add_argument("--pdf", default="2023 Q1 NVDA.pdf", help="the rag-dev filing to upload")
    args = parser.parse_args()

    from config.settings import Settings
    from core.assistant import LocalAIAssistant

    print(f"CPU: {cpu_flags()}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    data = Path(tempfile.mkdtemp(prefix="bench-api-"))
    server = Server(data, free_port())
    memory: list[tuple[str, float, float]] = []
    try:
        started = time.perf_counter()
        server.wait_up()
        print(f"server up in {time.perf_counter() - started:.1f} s (pid {server.process.pid})")
        client = httpx.Client(base_url=server.url, timeout=600)
        kb = client.post("/v1/knowledge-bases", json={"name": "Bench"}).json()["id"]
        pdf = RAG_DEV / "pdfs" / args.pdf
        started = time.perf_counter()
        with pdf.open("rb") as f:
            job = client.post(
                f"/v1/knowledge-bases/{kb}/documents?wait=true", files=[("files", (pdf.name, f))]
            ).json()
        print(f"uploaded {pdf.name} in {time.perf_counter() - started:.1f} s: {job['files'][0]['message']}")
        memory.append(("after the upload (embedder)", *memory_mib(server.process.pid)))

        assistant = LocalAIAssistant(Settings.from_env(data_dir=data))
        questions = questions_for(pdf.name)
        api_first_token(client, kb, questions[-1])  # warm-up: the LLM loads in each process
        core_first_token(assistant, kb, questions[-1])
        api_times, core_times = [], []
        for i in range(args.rounds):
            # round i asks questions[i] of both, so both models' caches hold the same prompt
            # before it (the one of round i-1) and both read the same new passages
            question = questions[i % len(questions)]
            pair = [(api_times, api_first_token, client), (core_times, core_first_token, assistant)]
            for times, measure, target in pair if i % 2 == 0 else pair[::-1]:
                time.sleep(0.5)  # the answer stopped before has ended
                times.append(measure(target, kb, question))
        memory.append(("after the answers (LLM)", *memory_mib(server.process.pid)))

        search_rate(server.url, kb, questions, 1, 4)  # warm-up
        core_search_rate(assistant, kb, questions, 4)
        rates = {c: search_rate(server.url, kb, questions, c, args.requests) for c in (1, 8)}
        in_process = core_search_rate(assistant, kb, questions, args.requests)
        memory.append(("after the searches", *memory_mib(server.process.pid)))
        client.close()
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)

    print(f"\nTime to first token, {pdf.name}, built-in model, p50 of {args.rounds} rounds (ms):")
    print(
        f"  {'':14} {'API (SSE)':>10} {'in-process':>11} {'overhead':>9} {'paired':>7}"
        "   rounds: API | in-process"
    )
    for what, index in (("first token", 1), ("sources event", 0)):
        api, core = [t[index] for t in api_times], [t[index] for t in core_times]
        api_p50, core_p50 = statistics.median(api), statistics.median(core)
        paired = statistics.median(a - c for a, c in zip(api, core, strict=True))
        print(
            f"  {what:14} {api_p50 * 1000:10.0f} {core_p50 * 1000:11.0f} {(api_p50 - core_p50) * 1000:9.0f} "
            f"{paired * 1000:7.0f}   {_ms(api)} | {_ms(core)}"
        )
    print("  (overhead: the difference of the p50s; paired: the p50 of each round's difference)")
    print(f"\nSearch, {args.requests} requests each (k=3):")
    for clients, (rate, p50) in rates.items():
        who = f"API, {clients} client{'s' if clients > 1 else ''}"
        print(f"  {who:22}  {rate:8.1f} req/s   p50 {p50 * 1000:.0f} ms")
    print(f"  in-process, 1 caller    {in_process[0]:8.1f} req/s   p50 {in_process[1] * 1000:.0f} ms")
    print("\nMemory of the API process (MiB):")
    for step, rss, peak in memory:
        print(f"  {step:30} RSS {rss:7.0f}   peak {peak:7.0f}")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


def _ms(times: list[float]) -> str:
    return ", ".join(f"{t * 1000:.0f}" for t in times)


if __name__ == "__main__":
    main()
