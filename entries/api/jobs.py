"""Uploads through the API are the core's ingest jobs (core/ingest_jobs.py): each file's progress
is polled as ``GET /v1/jobs/{id}``; the files saved for a job are removed when it ends."""

from __future__ import annotations

import shutil
from pathlib import Path

from core.ingest import Upload
from core.ingest_jobs import IngestJob, IngestJobs
from entries.api.schemas import FileProgress, JobOut


class Jobs:
    """The API's view of the process's upload jobs: each caller sees only its own."""

    def __init__(self, jobs: IngestJobs):
        self._jobs = jobs

    def start(self, owner: str, collection: str, uploads: list[Upload], folder: Path) -> IngestJob:
        """Add ``uploads`` (files in ``folder``, removed when done) to ``collection``."""
        return self._jobs.start(
            collection, uploads, owner, cleanup=lambda: shutil.rmtree(folder, ignore_errors=True)
        )

    def reindex(self, owner: str, collection: str) -> IngestJob:
        """Re-index every document of ``collection``, a row per document."""
        return self._jobs.reindex(collection, owner)

    def get(self, job_id: str, owner: str) -> IngestJob | None:
        return self._jobs.get(job_id, owner)


def job_out(job: IngestJob) -> JobOut:
    files = [
        FileProgress(
            name=f.name,
            state=f.state,
            done=f.done,
            total=f.total,
            ok=f.ok,
            message=f.message,
            pages=f.pages,
            chunks=f.chunks,
            seconds=f.seconds,
            needs_password=f.needs_password,
        )
        for f in job.files
    ]
    return JobOut(
        id=job.id,
        knowledge_base=job.knowledge_base,
        status=job.status,
        files=files,
        created_at=job.created_at,
    )
