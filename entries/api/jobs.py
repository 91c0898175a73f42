"""Uploads run as jobs: the files are added one after another in a thread (one job at a time per
knowledge base), each file's progress kept for polling (GET /v1/jobs/{id})."""

from __future__ import annotations

import logging
import shutil
import threading
import time
import uuid
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from core.events import IngestProgress, IngestResult
from core.ingest import Upload
from core.library import Library
from entries.api.schemas import FileProgress

log = logging.getLogger("entries.api")
KEPT = 500
"""Finished jobs remembered for polling; the oldest are forgotten past this."""


@dataclass
class Job:
    id: str
    owner: str
    knowledge_base: str
    files: list[FileProgress]  # the API's own schema, updated as the files go in
    status: str = "queued"
    created_at: float = field(default_factory=time.time)
    finished: threading.Event = field(default_factory=threading.Event)

    def as_json(self) -> dict:
        files = [f.model_dump() for f in self.files]
        return {
            "id": self.id,
            "knowledge_base": self.knowledge_base,
            "status": self.status,
            "files": files,
            "created_at": self.created_at,
        }


class Jobs:
    """The upload jobs of this server process."""

    def __init__(self, library: Library):
        self._library = library
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._per_base: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)

    def start(self, owner: str, collection: str, uploads: list[Upload], folder: Path) -> Job:
        """Add ``uploads`` (files in ``folder``, removed when done) to ``collection``."""
        job = Job(
            uuid.uuid4().hex, owner, collection, [FileProgress(name=u.name, state="queued") for u in uploads]
        )
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT and next(iter(self._jobs.values())).finished.is_set():
                self._jobs.popitem(last=False)
        threading.Thread(
            target=self._run, args=(job, uploads, folder), name=f"api-job-{job.id[:8]}", daemon=True
        ).start()
        return job

    def get(self, job_id: str, owner: str) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def _run(self, job: Job, uploads: list[Upload], folder: Path) -> None:
        try:
            with self._per_base[job.knowledge_base]:
                job.status = "running"
                index = {u.name: i for i, u in enumerate(uploads)}
                for event in self._library.ingest(uploads, job.knowledge_base):
                    state = job.files[index[event.file]]
                    if isinstance(event, IngestProgress):
                        state.state, state.done, state.total = event.stage, event.done, event.total
                    elif isinstance(event, IngestResult):
                        state.state = "done" if event.ok else "failed"
                        state.ok, state.message = event.ok, event.message
                        state.pages, state.chunks, state.seconds = event.pages, event.chunks, event.seconds
                        state.needs_password = event.needs_password
        except Exception:
            log.exception("upload job %s failed", job.id)
            for state in job.files:
                if state.ok is None:
                    state.state, state.ok = "failed", False
                    state.message = f"{state.name} was not added: the server failed (see its log)."
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            job.status = "done"
            job.finished.set()
