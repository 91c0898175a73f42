"""Adding documents as background jobs: an upload goes on in a thread of its own, so the page
that started it can rerun, chat, or be reloaded, and the CLI and the API follow the same jobs.
Each knowledge base adds one job at a time, in the order they came (two uploads to one knowledge
base queue, never interleave); different knowledge bases work side by side."""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from core.events import IngestProgress, IngestResult
from core.ingest import Upload
from errors import AssistantError

log = logging.getLogger(__name__)
KEPT = 500
"""Finished jobs remembered (for their rows and for polling); the oldest go past this."""
_DOING = {"reading": "reading page", "ocr": "reading by OCR page", "embedding": "embedding passage"}

IngestEvent = IngestProgress | IngestResult


class Ingests(Protocol):
    """What a job needs: adding files to a knowledge base and re-indexing its documents, with
    progress (core.library.Library)."""

    def ingest(self, uploads: list[Upload], collection: str) -> Iterator[IngestEvent]: ...

    def refusal(self, name: str) -> str | None: ...

    def documents(self, collection: str) -> list[Any]: ...

    def reindexing(self, documents: list[tuple[str, str]], collection: str) -> Iterator[IngestEvent]: ...


@dataclass
class FileState:
    """One file of a job: ``state`` is queued, reading, ocr, embedding, then done, skipped
    (already in the knowledge base) or failed; ``message`` says how it ended."""

    name: str
    state: str = "queued"
    done: int = 0
    total: int = 0
    message: str = ""
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    needs_password: bool = False

    @property
    def finished(self) -> bool:
        return self.state in ("done", "skipped", "failed")

    @property
    def ok(self) -> bool | None:
        """None until it ends; then whether it is in the knowledge base."""
        return None if not self.finished else self.state != "failed"

    @property
    def status(self) -> str:
        """What it is doing, in words: "waiting", "reading page 107 of 252", or how it ended."""
        if self.state == "queued":
            return "waiting"
        if self.state in _DOING:
            return f"{_DOING[self.state]} {self.done:,} of {self.total:,}"
        return self.message

    def record(self, event: IngestEvent) -> None:
        if isinstance(event, IngestProgress):
            self.state, self.done, self.total = event.stage, event.done, event.total
            return
        self.state = "failed" if not event.ok else "skipped" if event.skipped else "done"
        self.message, self.pages, self.chunks = event.message, event.pages, event.chunks
        self.seconds, self.needs_password = event.seconds, event.needs_password


@dataclass
class IngestJob:
    """One upload (``action`` "add") or re-index of a knowledge base's documents ("reindex"): its
    files in order, and whether it is over, seen and dismissed."""

    id: str
    knowledge_base: str
    owner: str
    files: list[FileState]
    action: str = "add"  # "add", "reindex" or "sync" (core/folder_sync.py)
    changes: dict[str, str] = field(default_factory=dict)  # sync: file -> added, updated or removed
    created_at: float = field(default_factory=time.time)
    status: str = "queued"  # queued, running, done
    finished: threading.Event = field(default_factory=threading.Event)
    noticed: bool = False  # a page has told its user that it finished
    dismissed: bool = False  # its row was closed
    locked: dict[str, Upload] = field(default_factory=dict)  # files that wait for a password

    @property
    def summary(self) -> str:
        """One line that is true at every moment: "Adding 3 files: 1 of 3 done" while it runs,
        then "2 added, 1 already there, 1 not added"."""
        count = len(self.files)
        if self.action == "reindex":
            return self._reindex_summary(count)
        if self.action == "sync":
            return self._sync_summary(count)
        if not self.finished.is_set():
            over = sum(f.finished for f in self.files)
            noun = "file" if count == 1 else "files"
            if self.status == "queued":
                return f"{count} {noun} waiting for the upload before them"
            return (
                f"Adding {count} {noun}: {over} of {count} done"
                if count > 1
                else f"Adding {self.files[0].name}"
            )
        added = sum(f.state == "done" for f in self.files)
        there = sum(f.state == "skipped" for f in self.files)
        failed = sum(f.state == "failed" for f in self.files)
        parts = [f"{added} added" if added or not (there or failed) else ""]
        parts += [f"{there} already there" if there else "", f"{failed} not added" if failed else ""]
        return ", ".join(p for p in parts if p)

    def _reindex_summary(self, count: int) -> str:
        noun = "document" if count == 1 else "documents"
        if self.status == "queued":
            return f"Re-indexing {count} {noun}, after the upload before it"
        if not self.finished.is_set():
            over = sum(f.finished for f in self.files)
            return f"Re-indexing {count} {noun}: {over} of {count} done"
        done = sum(f.state == "done" for f in self.files)
        gone = sum(f.state == "skipped" for f in self.files)
        failed = sum(f.state == "failed" for f in self.files)
        parts = [f"{done} re-indexed", f"{gone} removed meanwhile" if gone else ""]
        return ", ".join(p for p in parts + [f"{failed} not re-indexed" if failed else ""] if p)

    def _sync_summary(self, count: int) -> str:
        noun = "change" if count == 1 else "changes"
        if self.status == "queued":
            return f"Syncing the folder: {count} {noun}, after the upload before it"
        if not self.finished.is_set():
            over = sum(f.finished for f in self.files)
            return f"Syncing the folder: {over} of {count} {noun} done"
        done = [self.changes.get(f.name, "added") for f in self.files if f.state == "done"]
        parts = [f"{done.count(k)} {k}" for k in ("added", "updated", "removed") if done.count(k)]
        there = sum(f.state == "skipped" for f in self.files)
        failed = sum(f.state == "failed" for f in self.files)
        parts += [f"{there} already there" if there else "", f"{failed} failed" if failed else ""]
        return "Folder synced: " + (", ".join(p for p in parts if p) or "no changes")

    @property
    def failed(self) -> bool:
        return any(f.state == "failed" for f in self.files)


@dataclass
class _Order:
    job: IngestJob
    work: Callable[[], Iterator[IngestEvent]]
    uploads: dict[str, Upload]  # by name: a file that asks for a password waits with its bytes
    on_event: Callable[[IngestEvent], None] | None
    cleanup: Callable[[], None] | None


class IngestJobs:
    """The upload and re-index jobs of this process, one worker thread per knowledge base."""

    def __init__(self, library: Ingests, kept: int = KEPT):
        self._library = library
        self._kept = kept
        self._jobs: OrderedDict[str, IngestJob] = OrderedDict()
        self._lock = threading.Lock()
        self._queues: dict[str, queue.Queue[_Order]] = {}

    def start(
        self,
        collection: str,
        uploads: list[Upload],
        owner: str = "",
        on_event: Callable[[IngestEvent], None] | None = None,
        cleanup: Callable[[], None] | None = None,
    ) -> IngestJob:
        """Queue ``uploads`` for ``collection`` and return at once; ``on_event`` hears each
        progress event and result (from the worker thread), ``cleanup`` runs when the job ends."""
        job = IngestJob(uuid.uuid4().hex, collection, owner, [FileState(u.name) for u in uploads])
        for state in job.files:  # a kind that is not read is refused at once, not in its turn
            if reason := self._library.refusal(state.name):
                state.record(IngestResult(state.name, False, reason))
        uploads = [u for u, state in zip(uploads, job.files, strict=True) if not state.finished]
        work = partial(self._library.ingest, uploads, collection)
        self._enqueue(_Order(job, work, {u.name: u for u in uploads}, on_event, cleanup))
        return job

    def reindex(self, collection: str, owner: str = "") -> IngestJob:
        """Queue re-chunking and re-embedding every document of ``collection`` (after the uploads
        before it) and return at once; a row per document, as an upload has per file."""
        documents = [(d.id, d.name) for d in self._library.documents(collection)]
        return self.run(
            collection,
            [n for _, n in documents],
            partial(self._library.reindexing, documents, collection),
            "reindex",
            owner,
        )

    def run(
        self,
        collection: str,
        rows: list[str],
        work: Callable[[], Iterator[IngestEvent]],
        action: str,
        owner: str = "",
    ) -> IngestJob:
        """Queue ``work`` (events for the files named in ``rows``) in ``collection``'s order, after
        the jobs before it, and return its job at once."""
        job = IngestJob(uuid.uuid4().hex, collection, owner, [FileState(n) for n in rows], action)
        self._enqueue(_Order(job, work, {}, None, None))
        return job

    def reindexing(self, collection: str) -> bool:
        """Whether a re-index of ``collection`` (by anyone) is queued or running."""
        with self._lock:
            jobs = list(self._jobs.values())
        return any(
            j.knowledge_base == collection and j.action == "reindex" and not j.finished.is_set() for j in jobs
        )

    def _enqueue(self, order: _Order) -> None:
        job, collection = order.job, order.job.knowledge_base
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self._kept and next(iter(self._jobs.values())).finished.is_set():
                self._jobs.popitem(last=False)
            if collection not in self._queues:
                self._queues[collection] = queue.Queue()
                threading.Thread(
                    target=self._work,
                    args=(self._queues[collection],),
                    name=f"ingest-{collection}",
                    daemon=True,
                ).start()
            self._queues[collection].put(order)

    def get(self, job_id: str, owner: str = "") -> IngestJob | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def of(self, collection: str, owner: str = "") -> list[IngestJob]:
        """The jobs of ``collection`` started by ``owner`` whose rows are not dismissed, oldest first."""
        with self._lock:
            jobs = list(self._jobs.values())
        return [j for j in jobs if j.knowledge_base == collection and j.owner == owner and not j.dismissed]

    def running(self, owner: str = "") -> bool:
        """Whether a job of ``owner`` (in any knowledge base) is still queued or adding files."""
        with self._lock:
            return any(j.owner == owner and not j.finished.is_set() for j in self._jobs.values())

    def unnoticed(self, owner: str = "") -> list[IngestJob]:
        """The jobs of ``owner`` that finished since this was last asked (each is returned once:
        the page shows a notice for it)."""
        with self._lock:
            over = [
                j for j in self._jobs.values() if j.owner == owner and j.finished.is_set() and not j.noticed
            ]
            for job in over:
                job.noticed = True
        return over

    def dismiss(self, job_id: str, owner: str = "") -> None:
        """Close a finished job's row (a running job keeps it)."""
        job = self.get(job_id, owner)
        if job is not None and job.finished.is_set():
            job.dismissed = True
            job.locked.clear()

    def unlock(self, job_id: str, name: str, password: str, owner: str = "") -> IngestJob | None:
        """Add again, with ``password``, a file of job ``job_id`` that asked for one: a new job."""
        job = self.get(job_id, owner)
        upload = job.locked.pop(name, None) if job is not None else None
        if job is None or upload is None:
            return None
        if not job.locked and job.finished.is_set():
            job.dismissed = True  # its row said only that this file needs a password
        unlocked = Upload(upload.name, upload.path, upload.data, password)
        return self.start(job.knowledge_base, [unlocked], owner)

    def _work(self, orders: queue.Queue[_Order]) -> None:
        while True:
            self._run(orders.get())

    def _run(self, order: _Order) -> None:
        job = order.job
        job.status = "running"
        try:
            for event in order.work():
                # the first row of that name still going (two files may share a name)
                state = next((f for f in job.files if f.name == event.file and not f.finished), None)
                if state is None:
                    continue
                state.record(event)
                upload = order.uploads.get(event.file)
                if isinstance(event, IngestResult) and event.needs_password and upload and upload.data:
                    job.locked[event.file] = upload
                if order.on_event is not None:
                    order.on_event(event)
        except AssistantError as e:  # the knowledge base was deleted meanwhile, or cannot be opened
            self._fail_rest(job, str(e))
        except Exception:
            log.exception("upload job %s failed", job.id)
            self._fail_rest(job, "the app failed while adding it (its log says why).")
        finally:
            if order.cleanup is not None:
                order.cleanup()
            job.status = "done"
            job.finished.set()

    @staticmethod
    def _fail_rest(job: IngestJob, reason: str) -> None:
        for state in job.files:
            if not state.finished:
                state.state, state.message = "failed", f"{state.name} was not added: {reason}"
