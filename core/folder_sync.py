"""A knowledge base that follows a folder: new files are added, changed ones read again, deleted
ones removed, on demand (``sync``) or by the watcher (core/folder_watch.py).

A sync compares the folder with what the last one saw (storage/folder_links.py): a file whose size
and modification time are the same is not opened; one whose time changed is hashed, and read again
only when its content changed. The files to add or read again go through the same background job
as an upload (core/ingest_jobs.py: same readers, limits, progress rows and one-at-a-time order),
so a file that fails gets its reason and the others are still added; then the documents of
deleted files are removed. A changed file's old version stays searchable until its new version is
in, and stays when the new version cannot be read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings
from core.events import IngestProgress, IngestResult
from core.ingest import Upload
from core.ingest_jobs import IngestJob, IngestJobs
from errors import UserInputError
from storage.folder_links import FolderLink, FolderLinks, TrackedFile
from utils.files import file_sha256
from utils.words import counted

IngestEvent = IngestProgress | IngestResult
SCAN_LIMIT = 200_000
"""Entries (files and folders) looked at before a folder is called too big to follow."""


class FolderLibrary(Protocol):
    """What syncing needs from the knowledge bases (core.library.Library)."""

    settings: Settings

    def ingest(self, uploads: list[Upload], collection: str) -> Iterator[IngestEvent]: ...

    def document(self, doc_id: str, collection: str) -> Any | None: ...

    def delete_document(self, doc_id: str, collection: str) -> None: ...

    def exists(self, collection: str) -> bool: ...

    @staticmethod
    def document_types() -> list[str]: ...


@dataclass(frozen=True)
class Change:
    """A file to add ("added"), read again ("updated") or whose document goes ("removed")."""

    path: str  # relative to the folder, with "/" between parts
    kind: str
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""


@dataclass
class SyncPlan:
    """What a sync of ``folder`` will do; ``problem`` set means it does nothing, and says why."""

    folder: Path
    changes: list[Change] = field(default_factory=list)
    restamped: list[TrackedFile] = field(default_factory=list)  # touched, same content
    unchanged: int = 0
    ignored: int = 0  # files of kinds that are not read
    problem: str = ""

    def count(self, kind: str) -> int:
        return sum(c.kind == kind for c in self.changes)


class FolderSync:
    """Folder links of the knowledge bases, and syncing them."""

    def __init__(self, library: FolderLibrary, jobs: IngestJobs, links: FolderLinks | None = None):
        self._library = library
        self._jobs = jobs
        settings = library.settings
        self._links = links or FolderLinks(Path(settings.data_dir) / "folders.sqlite3")
        self._limit = settings.max_folder_files
        self._root = Path(settings.folder_root).expanduser().resolve() if settings.folder_root else None
        self._data_dir = Path(settings.data_dir).expanduser().resolve()
        self._running: dict[str, IngestJob] = {}
        self._watcher: Any = None  # core.folder_watch.FolderWatcher once watching
        self.on_change: Callable[[], None] | None = None  # the watcher re-reads the links

    # --- links --------------------------------------------------------------------------
    def link(self, collection: str) -> FolderLink | None:
        return self._links.link(collection)

    def links(self) -> list[FolderLink]:
        """The links of knowledge bases that still exist (a deleted one's link is dropped)."""
        kept = []
        for link in self._links.links():
            if self._library.exists(link.collection):
                kept.append(link)
            else:
                self._links.unfollow(link.collection)
        return kept

    def follow(self, collection: str, folder: str | Path) -> FolderLink:
        """Make ``collection`` follow ``folder`` (UserInputError when it cannot); sync it next."""
        path = self._valid_folder(folder)
        link = self._links.follow(collection, path)
        if self.on_change is not None:
            self.on_change()
        return link

    def unfollow(self, collection: str, remove_documents: bool = False) -> int:
        """Stop following; with ``remove_documents`` also remove the documents the syncs added.
        Returns how many documents were removed."""
        if self.syncing(collection):
            raise UserInputError("A sync of this folder is running; stop following it once it is done.")
        removed = 0
        if remove_documents:
            for doc_id in {f.doc_id for f in self._links.files(collection).values() if f.added_by_sync}:
                if doc_id and self._library.document(doc_id, collection) is not None:
                    self._library.delete_document(doc_id, collection)
                    removed += 1
        self._links.unfollow(collection)
        if self.on_change is not None:
            self.on_change()
        return removed

    def watch_in_background(self) -> None:
        """Sync the followed folders by themselves from now on (the page does this once per
        process); off when ``folder_sync_delay_s`` is 0."""
        delay = self._library.settings.folder_sync_delay_s
        if delay <= 0 or self._watcher is not None:
            return
        from core.folder_watch import FolderWatcher

        self._watcher = FolderWatcher(self, delay)
        self._watcher.start()

    def watch_problem(self, collection: str) -> str:
        """Why a followed folder's changes are not seen by themselves ("" when they are, or when
        nothing watches in this process)."""
        return self._watcher.problems.get(collection, "") if self._watcher is not None else ""

    def syncing(self, collection: str) -> bool:
        """Whether a sync of ``collection`` is queued or running."""
        job = self._running.get(collection)
        return job is not None and not job.finished.is_set()

    # --- syncing ------------------------------------------------------------------------
    def plan(self, collection: str) -> SyncPlan:
        """Compare the folder with what the last sync saw (reads only files whose time changed)."""
        link = self._links.link(collection)
        if link is None:
            raise UserInputError("This knowledge base does not follow a folder.")
        plan = SyncPlan(link.folder)
        found, plan.ignored, plan.problem = self._scan(link.folder)
        if plan.problem:
            return plan
        tracked = self._links.files(collection)
        for path, stat in found.items():
            known = tracked.get(path)
            if known is not None and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                plan.unchanged += 1
                continue
            try:
                sha = file_sha256(link.folder / path)
            except OSError:
                continue  # gone or unreadable since the scan: the next sync sees it
            if known is not None and sha == known.doc_id:
                plan.unchanged += 1
                plan.restamped.append(
                    TrackedFile(path, stat.st_size, stat.st_mtime_ns, sha, known.added_by_sync)
                )
                continue
            kind = "added" if known is None else "updated"
            plan.changes.append(Change(path, kind, stat.st_size, stat.st_mtime_ns, sha))
        plan.changes += [Change(p, "removed") for p in sorted(set(tracked) - set(found))]
        return plan

    def sync(self, collection: str, owner: str = "") -> IngestJob | None:
        """Start syncing ``collection`` in the background: a job with a row per change (None
        when nothing changed or the folder cannot be synced: ``link().last_report`` says which).
        While one sync of a knowledge base runs, asking again returns it."""
        if self.syncing(collection):
            return self._running[collection]
        plan = self.plan(collection)
        for file in plan.restamped:
            self._links.record(collection, file)
        if plan.problem or not plan.changes:
            self._links.synced(collection, plan.problem or _report(plan, {}))
            return None
        job = self._jobs.run(
            collection,
            [c.path for c in plan.changes],
            lambda: self._apply(collection, plan),
            action="sync",
            owner=owner,
        )
        job.changes = {c.path: c.kind for c in plan.changes}
        self._running[collection] = job
        return job

    def _apply(self, collection: str, plan: SyncPlan) -> Iterator[IngestEvent]:
        reads = [c for c in plan.changes if c.kind != "removed"]
        by_path = {c.path: c for c in reads}
        outcome: dict[str, str] = {}
        uploads = [Upload(c.path, path=plan.folder / c.path) for c in reads]
        for event in self._library.ingest(uploads, collection):
            yield event
            if isinstance(event, IngestResult) and event.file in by_path:
                outcome[event.file] = self._after_read(collection, plan.folder, by_path[event.file], event)
        for change in (c for c in plan.changes if c.kind == "removed"):
            yield self._remove(collection, change)
            outcome[change.path] = "removed"
        self._links.synced(collection, _report(plan, outcome))

    def _after_read(self, collection: str, folder: Path, change: Change, result: IngestResult) -> str:
        """Remember what the file became; an updated file's old document goes once the new one is in."""
        tracked = self._links.files(collection)
        old = tracked.get(change.path)
        if not result.ok:
            if old is None:  # not read again until it changes
                self._links.record(
                    collection, TrackedFile(change.path, change.size, change.mtime_ns, "", False)
                )
            return "failed"
        doc_id = change.sha256
        if self._library.document(doc_id, collection) is None:  # changed between the hash and the read
            doc_id = _sha_or_empty(folder / change.path)
        still = _same_file(folder / change.path, change)
        self._links.record(
            collection,
            TrackedFile(
                change.path,
                change.size,
                change.mtime_ns if still else -1,  # changed while read: hashed again next time
                doc_id,
                not result.skipped or (old is not None and old.doc_id == doc_id and old.added_by_sync),
            ),
        )
        if old is not None and old.doc_id and old.doc_id != doc_id:
            self._drop_if_unused(collection, old)
        return "skipped" if result.skipped and change.kind == "added" else change.kind

    def _remove(self, collection: str, change: Change) -> IngestResult:
        old = self._links.files(collection).get(change.path)
        self._links.forget(collection, change.path)
        if old is not None and old.doc_id:
            self._drop_if_unused(collection, old)
        return IngestResult(
            change.path, True, f"{change.path} is no longer in the folder; its document was removed."
        )

    def _drop_if_unused(self, collection: str, old: TrackedFile) -> None:
        """Remove a document the sync added once no file of the folder is it any more."""
        still_used = any(f.doc_id == old.doc_id for f in self._links.files(collection).values())
        if old.added_by_sync and not still_used and self._library.document(old.doc_id, collection):
            self._library.delete_document(old.doc_id, collection)

    def _scan(self, folder: Path) -> tuple[dict[str, os.stat_result], int, str]:
        """The supported files under ``folder`` (no hidden ones, symbolic links to folders not
        followed, so a link loop cannot trap it), how many were of other kinds, or a problem."""
        if not folder.is_dir():
            return (
                {},
                0,
                f"The folder {folder} is not there any more (or cannot be read); nothing was changed.",
            )
        kinds = {f".{k}" for k in self._library.document_types()}
        found: dict[str, os.stat_result] = {}
        ignored = seen = 0
        for top, dirs, files in os.walk(folder, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            seen += len(dirs) + len(files)
            if seen > SCAN_LIMIT:
                return (
                    {},
                    0,
                    f"The folder {folder} holds more than {SCAN_LIMIT:,} entries; choose a smaller one.",
                )
            for name in files:
                if name.startswith((".", "~$")):
                    continue  # hidden files and Office's lock files
                if Path(name).suffix.lower() not in kinds:
                    ignored += 1
                    continue
                path = Path(top) / name
                try:
                    stat = path.stat()
                except OSError:
                    continue  # a broken link, or gone since listed
                found[path.relative_to(folder).as_posix()] = stat
        if len(found) > self._limit:
            return (
                {},
                0,
                f"The folder {folder} holds {len(found):,} documents; a knowledge base follows at most "
                f"{self._limit:,} (MAX_FOLDER_FILES). Choose a smaller folder; nothing was changed.",
            )
        return found, ignored, ""

    def _valid_folder(self, folder: str | Path) -> Path:
        text = str(folder).strip()
        if not text:
            raise UserInputError("Give the path of a folder on this computer.")
        path = Path(text).expanduser()
        if not path.is_absolute():
            raise UserInputError(f"Give the folder's full path (for example {Path.home() / 'Documents'}).")
        path = path.resolve()
        if not path.is_dir():
            raise UserInputError(f"There is no folder {path} on this computer (or it cannot be read).")
        if self._root is not None and not path.is_relative_to(self._root):
            raise UserInputError(f"Only folders under {self._root} can be followed here (FOLDER_ROOT).")
        if path.is_relative_to(self._data_dir) or self._data_dir.is_relative_to(path):
            raise UserInputError(
                f"{path} holds the app's own data ({self._data_dir}); choose another folder."
            )
        return path


def _report(plan: SyncPlan, outcome: dict[str, str]) -> str:
    """What a sync did, in one line: "2 added, 1 updated, 1 removed, 1 failed (14 unchanged)"."""
    counts = {k: sum(v == k for v in outcome.values()) for k in ("added", "updated", "removed", "failed")}
    there = sum(v == "skipped" for v in outcome.values())
    parts = [f"{n} {k}" for k, n in counts.items() if n]
    parts += [f"{there} already in the knowledge base"] if there else []
    rest = [f"{plan.unchanged} unchanged"] if plan.unchanged else []
    rest += [f"{counted(plan.ignored, 'file')} of other kinds ignored"] if plan.ignored else []
    head = ", ".join(parts) or "No changes"
    return f"{head} ({', '.join(rest)})" if rest else head


def _same_file(path: Path, change: Change) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == (change.size, change.mtime_ns)


def _sha_or_empty(path: Path) -> str:
    try:
        return file_sha256(path)
    except OSError:
        return ""
