"""Typed questions in Chromium, as a user sees them: from pressing Enter to the first words of the
answer on the page, the model's writing speed in the page, and the CPU the browser and the app
used meanwhile.

    python bench/chat_browser.py [--documents] [--rounds 2] [--root DIR ...] [--think S]

The app runs as `./run.sh app` would (built-in model, no Ollama), warm: one question is asked as
soon as the page is up and counted apart (the first question after start-up, while the models may
still be loading) before the measured ones. ``--documents`` loads the three rag-dev filings and asks
about them (grounded answers); otherwise chat questions with longer answers. ``--root`` runs the
same questions against another checkout of the app (e.g. a git worktree of an older commit), one
after the other in turn, so both are measured in the same conditions; the checkout needs the
hands-free vendor files only for hands-free, not here.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags  # noqa: E402

CHAT_QUESTIONS = [
    "Explain how a bicycle stays upright.",
    "What are three tips for sleeping better?",
    "Write a short poem about autumn leaves.",
]
DOC_QUESTIONS = [
    "What was NVIDIA's revenue for the quarter ended April 30, 2023?",
    "What was Microsoft's net income for the quarter?",
    "How much revenue did Intel report in the third quarter of 2023?",
]
FIRST_DOC_QUESTION = "What was Intel's net income in the third quarter of 2023?"
# The time Enter was pressed in the box, and the first time an answer shows the streaming cursor.
WATCH = """
() => {
  window.benchStart = null; window.benchFirst = null;
  const box = document.querySelector("[data-testid='stChatInput'] textarea");
  box.addEventListener("keydown", e => { if (e.key === "Enter") window.benchStart = performance.now(); },
                       {capture: true, once: true});
  const seen = new Set(document.querySelectorAll("[data-testid='stChatMessage']"));
  new MutationObserver((_, observer) => {
    for (const m of document.querySelectorAll("[data-testid='stChatMessage']")) {
      if (!seen.has(m) && m.textContent.includes("\u258c")) {
        window.benchFirst = performance.now(); observer.disconnect(); return;
      }
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}
"""
HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds() -> dict[str, float]:
    """CPU seconds used so far by the app's server and by Chromium (all their processes)."""
    used = {"app": 0.0, "chromium": 0.0}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            kind = "app" if "streamlit run" in cmd else "chromium" if "chrom" in cmd.split(" ")[0] else ""
            if kind:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                used[kind] += (int(fields[11]) + int(fields[12])) / HZ
        except OSError:
            continue
    return used


class Run:
    """One checkout of the app, served from its own data folder, with a page open on it."""

    def __init__(self, root: Path, browser, data: Path, documents: bool):
        from tests.e2e.conftest import AppServer

        self.root, self.data = root, data
        data.mkdir(parents=True, exist_ok=True)
        if documents:
            pdfs = sorted((ROOT.parent / "shared" / "data" / "rag-dev" / "pdfs").glob("*.pdf"))
            env = {**os.environ, "DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
            ingest = [sys.executable, "cli.py", "ingest", *map(str, pdfs)]
            subprocess.run(ingest, cwd=root, env=env, check=True)
        self.server = AppServer(data, root=root).start()
        self.page = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
        self.page.goto(self.server.url)
        self.box = self.page.locator("[data-testid='stChatInput'] textarea")
        self.box.wait_for(timeout=120_000)
        self.results: list[dict[str, float]] = []
        self.first: dict[str, float] = {}  # the first question after start-up

    def ask(self, question: str, keep: bool = True) -> None:
        stored = len(self.stats())
        self.page.evaluate(WATCH)
        before = cpu_seconds()
        started = time.time()
        self.box.fill(question)
        self.box.press("Enter")
        while len(self.stats()) == stored:
            time.sleep(0.1)
        seconds = time.time() - started
        used = cpu_seconds()
        shown = self.page.evaluate("() => [window.benchStart, window.benchFirst]")
        stats = self.stats()[-1]
        if None not in shown:
            (self.results.append if keep else self.first.update)(
                {
                    "first_text_s": (shown[1] - shown[0]) / 1000,
                    "first_token_s": stats.get("first_token_s") or 0.0,
                    "tokens_per_s": stats.get("tokens_per_s") or 0.0,
                    "chromium_cores": (used["chromium"] - before["chromium"]) / seconds,
                    "app_cores": (used["app"] - before["app"]) / seconds,
                }
            )
        time.sleep(2.5)  # the rerun after the answer, and the read-ahead of the next prompt

    def stats(self) -> list[dict]:
        with sqlite3.connect(self.data / "conversations.sqlite3") as db:
            rows = db.execute("SELECT meta FROM messages WHERE role = 'assistant' ORDER BY id").fetchall()
        return [json.loads(meta).get("stats") or {} for (meta,) in rows]

    def stop(self) -> None:
        self.page.context.close()
        self.server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", action="store_true")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--root", action="append", default=[], help="another checkout to compare")
    parser.add_argument("--think", type=float, default=0.0, help="seconds before the first question")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    questions = DOC_QUESTIONS if args.documents else CHAT_QUESTIONS
    roots = [ROOT, *map(Path, args.root)]
    tmp = Path(tempfile.mkdtemp(prefix="bench-chat-browser-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        runs = []
        for i, root in enumerate(roots):
            run = Run(root, browser, tmp / f"data-{i}", args.documents)
            time.sleep(args.think)  # a person reading the page before typing
            run.ask(FIRST_DOC_QUESTION if args.documents else "Hello!", keep=False)  # counted apart
            runs.append(run)
        try:
            for _ in range(args.rounds):
                for question in questions:
                    for run in runs:  # each checkout in turn, same question
                        run.ask(question)
        finally:
            for run in runs:
                run.stop()
            browser.close()

    kind = "grounded (rag-dev)" if args.documents else "chat"
    print(f"CPU flags: {cpu_flags()}; {kind}; {args.rounds} rounds of {len(questions)} questions")
    print(
        "| checkout | Enter → first words on the page p50 (p90) | server first token p50 "
        "| model tokens/s p50 | Chromium cores | app cores |"
    )
    print("|---|---|---|---|---|---|")
    for run in runs:
        med = {key: statistics.median(x[key] for x in run.results) for key in run.results[0]}
        shown = [x["first_text_s"] for x in run.results]
        p90 = statistics.quantiles(shown, n=10)[-1] if len(shown) > 1 else shown[0]
        print(
            f"| {git_label(run.root)} | {med['first_text_s']:.2f} s ({p90:.2f} s) | "
            f"{med['first_token_s']:.2f} s | {med['tokens_per_s']:.1f} | {med['chromium_cores']:.2f} | "
            f"{med['app_cores']:.2f} |"
        )
    for run in runs:
        if run.first:
            print(
                f"{git_label(run.root)}: first question after start-up, Enter → first words "
                f"{run.first['first_text_s']:.2f} s (server first token {run.first['first_token_s']:.2f} s)"
            )


def git_label(root: Path) -> str:
    """The checkout's commit, for the table."""
    out = subprocess.run(["git", "log", "-1", "--format=%h"], cwd=root, capture_output=True, text=True)
    return f"{root.name} @ {out.stdout.strip() or '?'}"


if __name__ == "__main__":
    main()
