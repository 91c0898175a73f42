"""Sync followed folders by themselves while the app runs: a file-system watcher (watchdog) notes
each change under a followed folder, and a sync starts once the folder has been quiet for
``folder_sync_delay_s`` (saving a file or copying in a hundred is one sync, not a hundred). Each
folder is also synced once when watching starts, for the changes made while the app was off."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from storage.folder_links import FolderLink

log = logging.getLogger(__name__)
_READS = {"opened", "closed_no_write"}  # the sync reading a file is not a change


class Followed(Protocol):
    """What the watcher needs from the folder links (core.folder_sync.FolderSync)."""

    on_change: Callable[[], None] | None

    def links(self) -> list[FolderLink]: ...

    def syncing(self, collection: str) -> bool: ...

    def sync(self, collection: str, owner: str = "") -> Any: ...


class _Changes(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher, collection: str, folder: Path):
        self._watcher, self._collection, self._folder = watcher, collection, folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _READS:
            return
        names = [str(n) for n in (event.src_path, getattr(event, "dest_path", "")) if n]
        if all(self._hidden(n) for n in names):
            return  # hidden files (editors' swap files, .git) are not synced
        self._watcher.changed(self._collection)

    def _hidden(self, name: str) -> bool:
        try:
            parts = Path(name).relative_to(self._folder).parts
        except ValueError:
            return False
        return any(part.startswith((".", "~$")) for part in parts)


class FolderWatcher:
    """One observer for every followed folder, and a thread that starts the debounced syncs."""

    def __init__(self, folders: Followed, delay_s: float, tick_s: float = 0.5):
        self._folders = folders
        self._delay = delay_s
        self._tick = tick_s
        self._lock = threading.Lock()
        self._pending: dict[str, float] = {}  # collection -> when its last change was seen
        self._watches: dict[str, tuple[Path, object]] = {}
        self._observer = Observer()
        self._stop = threading.Event()
        self.problems: dict[str, str] = {}  # collection -> why its folder is not watched

    def start(self) -> None:
        """Watch every followed folder, sync each once, and keep the watches in step with the links."""
        self._observer.daemon = True
        self._observer.start()
        self._folders.on_change = self.refresh
        self.refresh()
        with self._lock:
            for collection in self._watches:
                self._pending[collection] = 0.0
        threading.Thread(target=self._loop, name="folder-sync", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        self._observer.stop()

    def refresh(self) -> None:
        """Watch the folders now followed, and no others."""
        links = {link.collection: link.folder for link in self._folders.links()}
        with self._lock:
            for collection, (folder, watch) in list(self._watches.items()):
                if links.get(collection) != folder:
                    self._observer.unschedule(watch)
                    del self._watches[collection]
            for collection, folder in links.items():
                if collection in self._watches:
                    continue
                try:
                    watch = self._observer.schedule(
                        _Changes(self, collection, folder), str(folder), recursive=True
                    )
                except OSError as e:  # gone, unreadable, or the system's limit of watches reached
                    self.problems[collection] = f"Changes are not seen by themselves ({e}); use Sync now."
                    continue
                self.problems.pop(collection, None)
                self._watches[collection] = (folder, watch)
                self._pending[collection] = 0.0  # newly followed: its first sync

    def changed(self, collection: str) -> None:
        with self._lock:
            self._pending[collection] = time.monotonic()

    def _loop(self) -> None:
        while not self._stop.wait(self._tick):
            now = time.monotonic()
            with self._lock:
                due = [c for c, seen in self._pending.items() if now - seen >= self._delay]
            for collection in due:
                if self._folders.syncing(collection):
                    continue  # its changes are synced once the running sync ends
                with self._lock:
                    self._pending.pop(collection, None)
                try:
                    self._folders.sync(collection)
                except Exception:
                    log.exception("syncing the folder of knowledge base %s failed", collection)
