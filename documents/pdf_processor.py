"""PDF -> pages of text with page numbers, with clear errors for bad PDFs.

Extraction runs in a child process (``python -m documents.pdf_worker``) so that a PDF that hangs
or crashes the parser, or asks for absurd memory, costs only that file: the child is killed at
the per-file time limit and its memory is capped. Text comes from PDFium (pypdfium2), which
measured ~15x faster than pypdf on the dev filings; pypdf is the fallback for files PDFium
cannot open.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from errors import DocumentError, PasswordRequired

ROOT = Path(__file__).resolve().parents[1]
MAX_PAGES = 5000
MEMORY_LIMIT_BYTES = 2 << 30


@dataclass
class ExtractedDocument:
    """Text per unit (1-based numbers are ``index + 1``): pages of a PDF, sections of a Word file,
    web page or Markdown file, paragraphs of a text file."""

    pages: list[str]
    empty_pages: list[int] = field(default_factory=list)  # 1-based pages with no extractable text
    extractor: str = "pdfium"
    title: str = ""  # the PDF's own Title metadata, if any
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages whose text was read by OCR
    refused_pages: list[str] = field(default_factory=list)  # pages OCR did not read, and why
    unit: str = "page"  # what a number cites: "page", "section" or "paragraph"

    @property
    def page_count(self) -> int:
        return len(self.pages)


def extract_pdf(
    path: Path | str,
    password: str | None = None,
    timeout_s: float = 120.0,
    on_page: Callable[[int, int], None] | None = None,
    max_pages: int = MAX_PAGES,
    worker: str = "documents.pdf_worker",
    name: str = "",
    ocr: OcrOptions | None = None,
    on_ocr: Callable[[int, int], None] | None = None,
    kind: str = "pdf",
) -> ExtractedDocument:
    """Extract every page's text, reading scanned pages by OCR when ``ocr`` is given (``on_ocr``
    hears "OCR page 3 of 12"); raises DocumentError (or PasswordRequired) with a clear message
    naming the file as ``name`` (default: the path's file name). ``kind`` "text" with ``worker``
    documents.doc_worker reads a Word, web-page, Markdown or text file the same way."""
    path = Path(path)
    name = name or path.name
    if path.stat().st_size == 0:
        raise DocumentError(f"{name} is empty (0 bytes).")
    with open(path, "rb") as f:
        head = f.read(1024)
    if kind == "pdf" and b"%PDF-" not in head:
        raise DocumentError(f"{name} is not a PDF file.")

    env = {**os.environ, "PDF_PASSWORD": password or "", "PDF_OCR": "1" if ocr else "0", "DOC_NAME": name}
    if ocr:
        env["PDF_OCR_MAX_PIXELS"] = str(ocr.max_pixels)
        env["PDF_OCR_PAGE_TIMEOUT_S"] = str(ocr.page_timeout_s)
    proc = subprocess.Popen(
        [sys.executable, "-m", worker, str(path), str(max_pages)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limit_memory if os.name == "posix" else None,
    )
    watchdog = _Watchdog(proc, timeout_s)
    pages: list[str] = []
    ocr_pages: list[int] = []
    refused: list[str] = []
    title = ""
    result: dict = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            msg = json.loads(line)
            if "page" in msg:
                pages.append(msg["text"])
                if msg.get("ocr"):
                    ocr_pages.append(msg["page"])
                if msg.get("refused"):
                    refused.append(msg["refused"])
                if on_page:
                    on_page(msg["page"], msg["of"])
            elif "ocr" in msg:
                assert ocr is not None
                watchdog.extend(ocr.page_timeout_s)  # a scanned page may take a while to read
                if on_ocr:
                    on_ocr(msg["ocr"], msg["of"])
            elif "title" in msg:
                title = msg["title"]
            else:
                result = msg
        proc.wait()
    finally:
        watchdog.stop()
    stderr = proc.stderr.read() if proc.stderr else ""
    if watchdog.fired:
        raise DocumentError(f"{name} took longer than {timeout_s:.0f} s to read and was skipped.")
    if "error" in result:
        error_kind = result.get("kind")
        if error_kind == "message":
            raise DocumentError(result["error"])
        if error_kind == "password":
            raise PasswordRequired(
                f"{name} is password-protected. Enter its password."
                if not password
                else f"The password for {name} is wrong."
            )
        raise DocumentError(f"{name}: {result['error']}")
    if proc.returncode != 0 or "done" not in result:
        reader = "the PDF reader" if kind == "pdf" else "the document reader"
        reason = "it ran out of memory" if "MemoryError" in stderr else f"{reader} crashed on it"
        raise DocumentError(f"{name} could not be read: {reason}. The file is probably damaged.")
    if not pages:
        raise DocumentError(f"{name} has no pages." if kind == "pdf" else f"{name} has no text.")
    empty = [i + 1 for i, text in enumerate(pages) if not text.strip()]
    if len(empty) == len(pages):
        why = (
            f" ({'; '.join(refused[:3])})"
            if refused
            else " (OCR found none)"
            if ocr
            else " (it may be scanned images, and OCR is off or Tesseract is not installed)"
        )
        raise DocumentError(f"{name} has no extractable text{why}.")
    extractor, unit = result.get("extractor", "pdfium"), result.get("unit", "page")
    return ExtractedDocument(pages, empty, extractor, title, ocr_pages, refused, unit)


@dataclass(frozen=True)
class OcrOptions:
    """How scanned pages are read (documents/ocr.py)."""

    max_pixels: int = 50_000_000
    page_timeout_s: float = 60.0


class _Watchdog:
    """Kills the worker when its deadline passes; OCR'd pages push the deadline back."""

    def __init__(self, proc: subprocess.Popen, timeout_s: float):
        self.proc = proc
        self.deadline = time.monotonic() + timeout_s
        self.fired = False
        self._stop = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def extend(self, seconds: float) -> None:
        self.deadline += seconds

    def _watch(self) -> None:
        while not self._stop.wait(0.1):
            if time.monotonic() > self.deadline:
                self.fired = True
                self.proc.kill()
                return

    def stop(self) -> None:
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
