"""Which reader takes a file in the document worker (documents/doc_worker.py), by its extension."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from documents.epub_formats import read_epub
from documents.markup_formats import read_json, read_xml
from documents.notebook_formats import read_ipynb
from documents.table_formats import read_file as read_older_kind
from documents.text_formats import Sections

_BYTE_READERS: dict[str, Callable[[bytes, str], Sections]] = {
    ".ipynb": read_ipynb,
    ".json": read_json,
    ".xml": read_xml,
}


def read_file(path: Path, name: str) -> Sections:
    """The units of the file at ``path``, uploaded as ``name`` (its extension picks the reader)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".epub":
        return read_epub(path, name)
    if suffix in _BYTE_READERS:
        return _BYTE_READERS[suffix](path.read_bytes(), name)
    return read_older_kind(path, name)
