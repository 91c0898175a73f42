"""Resident memory of the app's process with every model loaded, after real work.

    python bench/memory.py [--whisper tiny.en|base]

One process does what a session does: ingest the three rag-dev filings (the PDF reader runs in
its own short-lived process), answer three grounded questions with the built-in model, transcribe
jfk.flac, and speak a reply with the default voice. Resident memory (VmRSS) and its peak (VmHWM)
are read from /proc after each step. Target (issue 8): at most 2 GiB with everything loaded.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
QUESTIONS = [
    "What was Microsoft's net income for the three months ended September 30, 2022?",
    "What were Apple's total net sales for the quarter?",
    "How much cash did Intel have at the end of the quarter?",
]


def memory_mib() -> tuple[float, float]:
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--whisper", default="tiny.en")
    args = parser.parse_args()

    from config.settings import Settings
    from core.assistant import AskOptions, LocalAIAssistant
    from core.events import IngestResult
    from core.ingest import Upload

    rows = []

    def note(step: str) -> None:
        rss, peak = memory_mib()
        rows.append((step, rss, peak))

    note("start (Python, imports)")
    assistant = LocalAIAssistant(Settings.from_env(data_dir=Path(tempfile.mkdtemp(prefix="bench-mem-"))))
    uploads = [Upload(p.name, path=p) for p in sorted((SHARED / "rag-dev" / "pdfs").glob("*.pdf"))]
    results = [e for e in assistant.library.ingest(uploads) if isinstance(e, IngestResult)]
    note(f"ingested {sum(r.ok for r in results)} filings (embedder loaded)")
    options = AskOptions(backend="embedded")
    for question in QUESTIONS:
        list(assistant.answers.ask(assistant.chats.new().id, question, options))
    note("3 grounded answers (built-in LLM loaded)")
    assistant.voice.transcribe((SHARED / "audio" / "jfk.flac").read_bytes(), size=args.whisper)
    note(f"transcribed jfk.flac (Whisper {args.whisper} loaded)")
    assistant.voice.speak("Microsoft's net income for the quarter was 17.6 billion dollars.")
    note("spoke a reply (default voice loaded)")
    for question in QUESTIONS:
        list(
            assistant.answers.ask(
                assistant.chats.new().id, question, AskOptions(backend="embedded", speak=True)
            )
        )
    note("3 more answers, spoken")

    from retrieval.embeddings.embedder import shared_embedder

    print(f"CPU flags: {cpu_flags()}; embeddings: {shared_embedder().backend_name}")
    print("| step | resident MiB | peak MiB |")
    print("|---|---|---|")
    for step, rss, peak in rows:
        print(f"| {step} | {rss:.0f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
