"""Spoken replies kept on disk for replay, under a size cap.

Each recording gets a random 128-bit name, so it cannot be guessed; it is removed with its chat,
and the oldest ones go first when the folder would exceed ``max_bytes``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from utils.helpers import atomic_write_bytes


class AudioStore:
    """WAV files in one folder, at most ``max_bytes`` in all."""

    def __init__(self, folder: Path, max_bytes: int):
        self.folder = Path(folder)
        self.max_bytes = max_bytes

    def save(self, wav: bytes) -> tuple[str, int]:
        """Store ``wav``; returns its name and how many older recordings were removed for room."""
        if len(wav) > self.max_bytes:
            return "", 0
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{uuid.uuid4().hex}.wav"
        removed = self._make_room(len(wav))
        atomic_write_bytes(self.folder / name, wav)
        return name, removed

    def path(self, name: str) -> Path | None:
        """The recording called ``name``, if it is still there."""
        path = self.folder / Path(name).name
        return path if name and path.is_file() else None

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            path = self.path(name)
            if path:
                path.unlink(missing_ok=True)

    def used_bytes(self) -> int:
        return sum(f.stat().st_size for f in self._files())

    def _files(self) -> list[Path]:
        return list(self.folder.glob("*.wav")) if self.folder.is_dir() else []

    def _make_room(self, incoming: int) -> int:
        files = sorted(self._files(), key=lambda f: f.stat().st_mtime)
        used = sum(f.stat().st_size for f in files)
        removed = 0
        for oldest in files:
            if used + incoming <= self.max_bytes:
                break
            used -= oldest.stat().st_size
            oldest.unlink(missing_ok=True)
            removed += 1
        return removed
