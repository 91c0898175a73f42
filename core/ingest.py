"""Ingest PDFs into the knowledge base: one file at a time, a clear result for each, progress as
events. A failing file never stops the others, and never changes the knowledge base."""

from __future__ import annotations

import hashlib
import queue
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings
from core.events import IngestProgress, IngestResult
from documents import ocr
from documents.document_reader import ReadOptions, read_document
from documents.pdf_processor import ExtractedDocument, OcrOptions
from errors import DocumentError, PasswordRequired
from utils.files import file_sha256
from utils.memory import release_free_memory
from utils.words import counted


class DocumentStore(Protocol):
    """What ingesting needs from a knowledge base (retrieval.knowledge_base.KnowledgeBase)."""

    def find(self, sha256: str) -> Any: ...

    def add_document(
        self,
        name: str,
        content_sha256: str,
        size_bytes: int,
        document: ExtractedDocument,
        progress: Callable[[int, int], None] | None = None,
    ) -> Any: ...


class Rechunker(Protocol):
    """What re-indexing needs from a knowledge base (retrieval.knowledge_base.KnowledgeBase)."""

    def rechunk(self, doc_id: str, progress: Callable[[int, int], None] | None = None) -> int | None: ...


@dataclass(frozen=True)
class Upload:
    """A file to ingest: a path on disk, or bytes from the browser with their file name."""

    name: str
    path: Path | None = None
    data: bytes | None = None
    password: str = ""


class OriginalStore(Protocol):
    """Where the files added are kept, so their pages can be shown and they can be read again
    (storage.originals.Originals)."""

    def keep(
        self, doc_id: str, path: Path | None = None, data: bytes | None = None, suffix: str = ".pdf"
    ) -> None: ...


def ingest(
    kb: DocumentStore, uploads: list[Upload], settings: Settings, originals: OriginalStore | None = None
) -> Iterator[IngestProgress | IngestResult]:
    """Each upload in turn. While one is embedded, the next one is already being read (its text
    is extracted in the PDF worker, a process of its own), so the two overlap. A file added is
    also kept in ``originals``, for pictures of its pages and to re-index it from."""
    ahead: dict[int, _Work] = {}
    try:
        for index, upload in enumerate(uploads):

            def read_next(after: int = index) -> None:
                following = uploads[after + 1] if after + 1 < len(uploads) else None
                if following is not None and not _too_big(following, settings):
                    ahead[after + 1] = _Work(lambda report: _read(following, settings, report))

            yield from _ingest_one(kb, upload, settings, ahead.pop(index, None), read_next)
            if originals is not None:
                _keep_original(kb, upload, originals)
    finally:
        release_free_memory()  # the upload's texts and embedding batches are gone: give the pages back


def _keep_original(kb: DocumentStore, upload: Upload, originals: OriginalStore) -> None:
    """Keep the file just added (or already there without its original) by its document id."""
    doc = kb.find(_digest(upload))
    if doc is None:
        return
    try:
        originals.keep(doc.id, upload.path, upload.data, Path(upload.name).suffix)
    except OSError:
        pass  # no picture of its pages then; the document itself is added


def _ingest_one(
    kb: DocumentStore,
    upload: Upload,
    settings: Settings,
    reading: _Work | None,
    read_next: Callable[[], None],
) -> Iterator[IngestProgress | IngestResult]:
    """One upload: checked, read (or its read started earlier, ``reading``), then embedded and
    stored; ``read_next`` is called once its text is in hand, to start reading the next upload."""
    started = time.perf_counter()
    size = _size(upload)
    if _too_big(upload, settings):
        yield IngestResult(
            upload.name,
            False,
            f"{upload.name} is {size / 2**20:.0f} MB; the limit is {settings.max_upload_mb} MB.",
        )
        return
    existing = kb.find(digest := _digest(upload))
    if existing:
        yield IngestResult(
            upload.name,
            True,
            f"{upload.name} is already in the knowledge base (as {existing.name}); skipped.",
            existing.pages,
            existing.chunks,
            skipped=True,
        )
        return
    try:
        reading = reading or _Work(lambda report: _read(upload, settings, report))
        extracted = yield from reading.follow()
        read_next()
        doc = yield from _Work(
            lambda report: kb.add_document(
                upload.name,
                digest,
                size,
                extracted,
                lambda d, t: report(IngestProgress(upload.name, "embedding", d, t)),
            )
        ).follow()
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
        f"{upload.name}: {counted(doc.pages, extracted.unit)}, {counted(doc.chunks, 'passage')} "
        f"in {seconds:.1f} s.{note}",
        doc.pages,
        doc.chunks,
        seconds,
        tuple(doc.empty_pages),
    )


def read_again(original: Path, name: str, settings: Settings, password: str = "") -> ExtractedDocument:
    """The text of a kept original, read as the upload ``name`` was (same readers and limits)."""
    return _read(Upload(name, path=original, password=password), settings, lambda _event: None)


def _ocr_options(settings: Settings) -> OcrOptions | None:
    """OCR for scanned pages, unless turned off or Tesseract is not installed."""
    if settings.ocr_max_pixels <= 0 or not ocr.available():
        return None
    return OcrOptions(settings.ocr_max_pixels, settings.ocr_page_timeout_s)


def _size(upload: Upload) -> int:
    if upload.data is not None:
        return len(upload.data)
    return upload.path.stat().st_size if upload.path else 0


def _too_big(upload: Upload, settings: Settings) -> bool:
    return _size(upload) > settings.max_upload_mb * 2**20


def _digest(upload: Upload) -> str:
    if upload.data is not None:
        return hashlib.sha256(upload.data).hexdigest()
    assert upload.path is not None
    return file_sha256(upload.path)


def _read(upload: Upload, settings: Settings, report: Callable[[Any], None]) -> ExtractedDocument:
    """The upload's text (bytes from the browser go through a temporary file), reporting progress."""
    with tempfile.TemporaryDirectory(prefix="kb-upload-") as tmp:
        path = upload.path
        if upload.data is not None:
            path = Path(tmp) / f"upload{Path(upload.name).suffix.lower()}"
            path.write_bytes(upload.data)
        assert path is not None
        return read_document(
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


class _Work:
    """``work(report)`` started now in a thread; ``follow()`` yields what it reports (also what it
    reported before anyone followed) and then returns its result, or raises its error."""

    def __init__(self, work: Callable[[Callable[[Any], None]], Any]):
        self._events: queue.Queue = queue.Queue()
        self._outcome: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[Callable[[Any], None]], Any]) -> None:
        try:
            self._outcome["value"] = work(self._events.put)
        except BaseException as e:  # re-raised in the follower's thread
            self._outcome["error"] = e
        finally:
            self._events.put(None)

    def follow(self) -> Generator[Any, None, Any]:
        while (event := self._events.get()) is not None:
            yield event
        self._thread.join()
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]


def reindex(kb: Rechunker, documents: list[tuple[str, str]]) -> Iterator[IngestProgress | IngestResult]:
    """Re-chunk and re-embed each ``(doc_id, name)`` from its stored pages with today's settings,
    in turn: progress while it is embedded, then a result; the others are searched as before
    meanwhile, and each one's new passages replace its old ones at once."""
    try:
        for doc_id, name in documents:
            started = time.perf_counter()
            chunks = yield from _Work(
                lambda report, d=doc_id, n=name: kb.rechunk(
                    d, lambda done, total: report(IngestProgress(n, "embedding", done, total))
                )
            ).follow()
            seconds = time.perf_counter() - started
            if chunks is None:
                yield IngestResult(name, True, f"{name} was removed before it was re-indexed.", skipped=True)
            else:
                message = f"{name}: re-indexed, {counted(chunks, 'passage')} in {seconds:.1f} s."
                yield IngestResult(name, True, message, chunks=chunks, seconds=seconds)
    finally:
        release_free_memory()


def _page_list(pages: list[int] | tuple[int, ...]) -> str:
    shown = ", ".join(str(p) for p in pages[:12])
    return shown + (f" and {len(pages) - 12} more" if len(pages) > 12 else "")
