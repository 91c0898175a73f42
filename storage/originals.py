"""Each PDF as it was added to a knowledge base, kept by its content's sha256 (the document's id),
so that a cited page can be shown as a picture. Written whole or not at all."""

from __future__ import annotations

import shutil
from pathlib import Path

from utils.files import write_atomically


class Originals:
    """The kept PDFs of one knowledge base, in its folder's ``originals/``."""

    def __init__(self, kb_directory: Path | str):
        self.directory = Path(kb_directory) / "originals"
        self.pictures = Path(kb_directory) / "page-pictures"  # drawn pages, named "<doc_id>-..."

    def keep(self, doc_id: str, path: Path | None = None, data: bytes | None = None) -> None:
        """Keep the file (from ``path`` or ``data``) as the original of ``doc_id``."""
        target = self.directory / f"{doc_id}.pdf"
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
        """The kept original of ``doc_id``, if there is one (not for files added before this)."""
        if not doc_id or "/" in doc_id or doc_id.startswith("."):
            return None
        target = self.directory / f"{doc_id}.pdf"
        return target if target.is_file() else None

    def delete(self, doc_id: str) -> None:
        """Remove the original of ``doc_id`` and the pictures drawn of its pages."""
        target = self.path(doc_id)
        if target is not None:
            target.unlink(missing_ok=True)
            for picture in self.pictures.glob(f"{doc_id}-*.png"):
                picture.unlink(missing_ok=True)
