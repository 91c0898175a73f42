"""Ingestion throughput per document format, on the same text: a real filing's pages written as a
Word file (a heading per page), a web page, a Markdown file and a text file, each ingested into a
fresh knowledge base through the app's own ingestion (worker process, chunking, embedding).

    python bench/formats.py [--pdf "../shared/data/rag-dev/pdfs/2023 Q3 INTC.pdf"]
"""

from __future__ import annotations

import argparse
import html
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags  # noqa: E402

DEFAULT_PDF = ROOT.parent / "shared" / "data" / "rag-dev" / "pdfs" / "2023 Q3 INTC.pdf"


def write_formats(pages: list[str], folder: Path) -> list[Path]:
    import docx

    document = docx.Document()
    for number, text in enumerate(pages, start=1):
        document.add_heading(f"Page {number}", 1)
        for line in text.splitlines():
            if line.strip():
                document.add_paragraph(line.strip())
    document.save(folder / "filing.docx")
    body = "".join(
        f"<h2>Page {n}</h2>" + "".join(f"<p>{html.escape(x)}</p>" for x in t.splitlines() if x.strip())
        for n, t in enumerate(pages, start=1)
    )
    (folder / "filing.html").write_text(f"<html><body><main>{body}</main></body></html>", encoding="utf-8")
    markdown = "\n\n".join(f"## Page {n}\n\n{t}" for n, t in enumerate(pages, start=1))
    (folder / "filing.md").write_text(markdown, encoding="utf-8")
    (folder / "filing.txt").write_text("\n\n".join(pages), encoding="utf-8")
    return [folder / f"filing.{ext}" for ext in ("docx", "html", "md", "txt")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pdf", type=Path, default=DEFAULT_PDF)
    args = parser.parse_args()
    from config.settings import Settings
    from core.assistant import LocalAIAssistant
    from core.events import IngestResult
    from core.ingest import Upload
    from documents.pdf_processor import extract_pdf

    # control characters (form feeds, PDF artefacts) are not allowed in a Word file's XML
    pages = ["".join(ch for ch in p if ch in "\n\t" or ord(ch) >= 32) for p in extract_pdf(args.pdf).pages]
    chars = sum(len(p) for p in pages)
    print(f"CPU flags: {cpu_flags()}; text of {args.pdf.name}: {len(pages)} pages, {chars:,} characters")
    print("| format | units | chunks | seconds | thousand characters/s |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = [args.pdf, *write_formats(pages, folder)]
        warm = LocalAIAssistant(Settings(data_dir=folder / "warm"))
        list(warm.library.ingest([Upload("warm.txt", path=files[-1])]))  # load the embedder once, untimed
        for path in files:
            assistant = LocalAIAssistant(Settings(data_dir=folder / f"kb-{path.suffix[1:]}"))
            started = time.perf_counter()
            events = assistant.library.ingest([Upload(path.name, path=path)])
            result = next(e for e in events if isinstance(e, IngestResult))
            seconds = time.perf_counter() - started
            unit = result.message.split(": ", 1)[1].split(",")[0]
            speed = chars / seconds / 1000
            print(f"| {path.suffix[1:]} | {unit} | {result.chunks} | {seconds:.1f} | {speed:.1f} |")


if __name__ == "__main__":
    main()
