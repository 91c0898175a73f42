"""Each file as it was added to a knowledge base, kept by its content's sha256 (the document's id)
with its own extension: a cited PDF page can be shown as a picture, and one document can be read
again (re-indexed) from it. Written whole or not at all."""

from __future__ import annotations

import shutil
from pathlib import Path

from utils.files import write_atomically


class Originals:
    """The kept files of one knowledge base, in its folder's ``originals/``."""

    def __init__(self, kb_directory: Path | str):
        self.directory = Path(kb_directory) / "originals"
        self.pictures = Path(kb_directory) / "page-pictures"  # drawn pages, named "<doc_id>-..."

    def keep(
        self, doc_id: str, path: Path | None = None, data: bytes | None = None, suffix: str = ".pdf"
    ) -> None:
        """Keep the file (from ``path`` or ``data``) as the original of ``doc_id``; ``suffix`` is
        its kind (".pdf", ".docx", ".md" ...), as its reader needs it."""
        if not _safe(doc_id) or not _safe(suffix.lstrip(".")):
            return
        target = self.directory / f"{doc_id}{suffix.lower()}"
        if target.exists():
            return
        if data is None and path is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            shutil.copyfile(path, partial)
            partial.replace(target)
        elif data is not None:
            write_atomically(target, data)

    def path(self, doc_id: str) -> Path | None:
        """The kept PDF of ``doc_id``, if there is one (not for files added before this)."""
        original = self.original(doc_id)
        return original if original is not None and original.suffix == ".pdf" else None

    def original(self, doc_id: str) -> Path | None:
        """The kept file of ``doc_id``, of any kind, if there is one (PDFs added before originals
        were kept, and other kinds added before they were too, have none)."""
        if not _safe(doc_id) or not self.directory.is_dir():
            return None
        return next((p for p in sorted(self.directory.glob(f"{doc_id}.*")) if p.is_file()), None)

    def delete(self, doc_id: str) -> None:
        """Remove the original of ``doc_id`` and the pictures drawn of its pages."""
        target = self.original(doc_id)
        if target is not None:
            target.unlink(missing_ok=True)
            for picture in self.pictures.glob(f"{doc_id}-*.png"):
                picture.unlink(missing_ok=True)


def _safe(name: str) -> bool:
    """A name that stays inside the folder (no path, no hidden or glob characters)."""
    return bool(name) and not name.startswith(".") and not any(c in name for c in "/\\*?[]")
