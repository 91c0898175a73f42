"""Sync of a followed folder: 500 files, then 10 changes (4 edited, 3 added, 3 deleted, plus 20
files only touched), with the real embedding model and readers.

    python bench/folder_sync.py [--files 500] [--work DIR]

The files are real text: the SEC filings' pages in ../shared/data/rag-dev and rag-bench (one page
per file, as .txt, .md and .html in turn). Prints the time of the first sync, of a sync with no
change, and of the sync after the changes, and how many files each sync read (read = handed to a
reader; a file whose size and time are unchanged is not opened, a touched one is only hashed).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
FILINGS = [DATA / "rag-dev" / "pdfs", DATA / "rag-bench" / "pdfs"]


def pages(count: int) -> list[str]:
    """``count`` real page texts from the rag-dev and rag-bench filings."""
    from pypdf import PdfReader

    found: list[str] = []
    for pdf in sorted(p for folder in FILINGS for p in folder.glob("*.pdf")):
        try:
            texts = [(page.extract_text() or "").strip() for page in PdfReader(pdf).pages[:60]]
        except Exception:  # a filing pypdf's limits refuse: the others are enough
            continue
        for text in texts:
            if len(text) > 400:
                found.append(text)
            if len(found) == count:
                return found
    raise SystemExit(f"only {len(found)} pages of text in {FILINGS}")


def write(folder: Path, i: int, text: str) -> None:
    kind = ("txt", "md", "html")[i % 3]
    path = folder / f"part{i // 100}" / f"page-{i:04d}.{kind}"
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "html":
        body = "".join(f"<p>{line}</p>" for line in text.splitlines())
        text = f"<html><head><title>Page {i}</title></head><body><h1>Page {i}</h1>{body}</body></html>"
    elif kind == "md":
        text = f"# Page {i}\n\n{text}"
    path.write_text(text, encoding="utf-8")


def timed_sync(assistant, collection: str) -> tuple[float, int, str]:
    start = time.perf_counter()
    job = assistant.folders.sync(collection)
    if job is not None:
        job.finished.wait()
    seconds = time.perf_counter() - start
    reads = sum(1 for f in job.files if job.changes.get(f.name) != "removed") if job else 0
    return seconds, reads, assistant.folders.link(collection).last_report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--work", default="")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="folder-sync-"))
    shutil.rmtree(work, ignore_errors=True)
    folder, data = work / "folder", work / "data"
    texts = pages(args.files + 3)
    for i in range(args.files):
        write(folder, i, texts[i])

    from config.settings import Settings
    from core.assistant import LocalAIAssistant
    from core.library import DEFAULT

    assistant = LocalAIAssistant(Settings.from_env(data_dir=data, folder_sync_delay_s=0))
    assistant.library.knowledge_base.embed(["warm up"])  # the model loads before the clock starts
    assistant.folders.follow(DEFAULT, folder)
    rows = [("first sync", *timed_sync(assistant, DEFAULT))]
    rows.append(("no change", *timed_sync(assistant, DEFAULT)))
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files[10:30]:
        os.utime(path)  # touched, same content
    for path in files[:4]:
        path.write_text(path.read_text(encoding="utf-8") + "\n\nAmended.", encoding="utf-8")
    for path in files[4:7]:
        path.unlink()
    for i in range(3):
        write(folder, args.files + i, texts[args.files + i])
    rows.append(("10 changes, 20 touched", *timed_sync(assistant, DEFAULT)))

    print(f"CPU flags: {cpu_flags()}; {os.cpu_count()} cores; {args.files} files\n")
    print("| sync | seconds | files read | report |")
    print("|---|---|---|---|")
    for name, seconds, reads, report in rows:
        print(f"| {name} | {seconds:.2f} | {reads} | {report} |")
    docs = assistant.library.documents()
    print(f"\nknowledge base: {len(docs)} documents, {sum(d.chunks for d in docs)} passages")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
