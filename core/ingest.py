"""Ingest PDFs into the knowledge base: one file at a time, a clear result for each, progress as
events. A failing file never stops the others, and never changes the knowledge base."""

from __future__ import annotations

import queue
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings
from core.events import IngestProgress, IngestResult
from errors import DocumentError, PasswordRequired
from services import ocr
from services.document_reader import ReadOptions, read_document
from services.knowledge_base import file_sha256
from services.pdf_processor import ExtractedDocument, OcrOptions
from utils.memory import release_free_memory


class DocumentStore(Protocol):
    """What ingesting needs from a knowledge base (services.knowledge_base.KnowledgeBase)."""

    def find(self, sha256: str) -> Any: ...

    def add_document(
        self,
        name: str,
        content_sha256: str,
        size_bytes: int,
        document: ExtractedDocument,
        progress: Callable[[int, int], None] | None = None,
    ) -> Any: ...


@dataclass(frozen=True)
class Upload:
    """A file to ingest: a path on disk, or bytes from the browser with their file name."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    password: str = ""


def ingest(
    kb: DocumentStore, uploads: list[Upload], settings: Settings
) -> Iterator[IngestProgress | IngestResult]:
    try:
        for upload in uploads:
            yield from _ingest_one(kb, upload, settings)
    finally:
        release_free_memory()  # the upload's texts and embedding batches are gone: give the pages back


def _ingest_one(
    kb: DocumentStore, upload: Upload, settings: Settings
) -> Iterator[IngestProgress | IngestResult]:
    started = time.perf_counter()
    size = len(upload.data) if upload.data is not None else (upload.path.stat().st_size if upload.path else 0)
    limit = settings.max_upload_mb * 1024 * 1024
    if size > limit:
        yield IngestResult(
            upload.name,
            False,
            f"{upload.name} is {size / 2**20:.0f} MB; the limit is {settings.max_upload_mb} MB.",
        )
        return
    with tempfile.TemporaryDirectory(prefix="kb-upload-") as tmp:
        path = upload.path
        if upload.data is not None:
            path = Path(tmp) / f"upload{Path(upload.name).suffix.lower()}"
            path.write_bytes(upload.data)
        assert path is not None
        digest = file_sha256(path)
        existing = kb.find(digest)
        if existing:
            yield IngestResult(
                upload.name,
                True,
                f"{upload.name} is already in the knowledge base (as {existing.name}); skipped.",
                existing.pages,
                existing.chunks,
            )
            return
        try:
            extracted = yield from _run_with_progress(
                lambda report: read_document(
                    path,
                    upload.name,
                    ReadOptions(
                        upload.password,
                        settings.pdf_timeout_s,
                        _ocr_options(settings),
                        settings.max_text_mb * 2**20,
                    ),
                    lambda d, t: report(IngestProgress(upload.name, "reading", d, t)),
                    lambda d, t: report(IngestProgress(upload.name, "ocr", d, t)),
                )
            )
            doc = yield from _run_with_progress(
                lambda report: kb.add_document(
                    upload.name,
                    digest,
                    size,
                    extracted,
                    lambda d, t: report(IngestProgress(upload.name, "embedding", d, t)),
                )
            )
        except PasswordRequired as e:
            yield IngestResult(upload.name, False, str(e), needs_password=True)
            return
        except DocumentError as e:
            yield IngestResult(upload.name, False, str(e))
            return
    seconds = time.perf_counter() - started
    note = ""
    if extracted.ocr_pages:
        note += f" Read by OCR: {_page_list(extracted.ocr_pages)}."
    if extracted.refused_pages:
        note += f" Not read: {'; '.join(extracted.refused_pages[:3])}."
    if doc.empty_pages:
        note += f" Pages with no extractable text: {_page_list(doc.empty_pages)}."
    yield IngestResult(
        upload.name,
        True,
        f"{upload.name}: {doc.pages} {extracted.unit}{'s' if doc.pages != 1 else ''}, "
        f"{doc.chunks} chunks in {seconds:.1f} s.{note}",
        doc.pages,
        doc.chunks,
        seconds,
        tuple(doc.empty_pages),
    )


def _ocr_options(settings: Settings) -> OcrOptions | None:
    """OCR for scanned pages, unless turned off or Tesseract is not installed."""
    if settings.ocr_max_pixels <= 0 or not ocr.available():
        return None
    return OcrOptions(settings.ocr_max_pixels, settings.ocr_page_timeout_s)


def _run_with_progress(work):
    """Run ``work(report)`` in a thread and yield what it reports while it runs; return its result."""
    events: queue.Queue = queue.Queue()
    outcome: dict = {}

    def target() -> None:
        try:
            outcome["value"] = work(events.put)
        except BaseException as e:  # re-raised in the caller's thread below
            outcome["error"] = e
        finally:
            events.put(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    while (event := events.get()) is not None:
        yield event
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _page_list(pages: list[int] | tuple[int, ...]) -> str:
    shown = ", ".join(str(p) for p in pages[:12])
    return shown + (f" and {len(pages) - 12} more" if len(pages) > 12 else "")
