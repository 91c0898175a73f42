"""Which reader takes a file in the document worker (documents/doc_worker.py), by its extension,
for a file on disk or one held in memory: a member of a zip archive or an e-mail's attachment.

A file in memory is read where it lies when its reader takes bytes (text, web pages, tables,
notebooks, JSON, XML, e-mails), a PDF by its text layer (PDFium, no OCR inside another file); any
other kind (Word, Excel, PowerPoint, e-books, Outlook messages, archives) is written under a
fresh private temporary folder with a made-up name, never its own path, and read there. Archives
and e-mails inside each other are read ``MAX_NESTING`` levels deep, no deeper.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from documents.archive_formats import read_zip
from documents.email_formats import read_eml
from documents.epub_formats import read_epub
from documents.markup_formats import read_json, read_xml
from documents.notebook_formats import read_ipynb
from documents.outlook_formats import read_msg
from documents.table_formats import read_csv
from documents.table_formats import read_file as read_older_kind
from documents.text_formats import READERS, Sections
from errors import DocumentError

MAX_NESTING = 2  # holders inside holders: a zip in an e-mail in a zip is read, one level more is not
MAX_MEMBER_PAGES = 2_000  # pages of a PDF inside an archive or an e-mail

_BYTE_READERS: dict[str, Callable[[bytes, str], Sections]] = {
    **{suffix: reader for suffix, (_, reader) in READERS.items()},
    ".csv": read_csv,
    ".tsv": read_csv,
    ".ipynb": read_ipynb,
    ".json": read_json,
    ".xml": read_xml,
}
_HOLDERS = (".zip", ".eml", ".msg")  # kinds that hold other files
_ON_DISK = (".docx", ".xlsx", ".xlsm", ".xls", ".pptx", ".epub", ".msg", ".zip")  # read from a file


def read_file(path: Path, name: str) -> Sections:
    """The units of the file at ``path``, uploaded as ``name`` (its extension picks the reader)."""
    return _read_path(path, name, 0)


def _read_path(path: Path, name: str, depth: int) -> Sections:
    suffix = Path(name).suffix.lower()
    member = partial(read_bytes, depth=depth + 1)
    if suffix == ".zip":
        return read_zip(path, name, member)
    if suffix == ".eml":
        return read_eml(path.read_bytes(), name, member)
    if suffix == ".msg":
        return read_msg(path, name, member)
    if suffix == ".epub":
        return read_epub(path, name)
    if suffix in _BYTE_READERS:
        return _BYTE_READERS[suffix](path.read_bytes(), name)
    return read_older_kind(path, name)


def read_bytes(data: bytes, name: str, depth: int = 1) -> Sections:
    """The units of a file held in memory (a member or an attachment named ``name``)."""
    suffix = Path(name).suffix.lower()
    if suffix in _HOLDERS and depth > MAX_NESTING:
        raise DocumentError(f"{name} is not read: it is inside {MAX_NESTING} other e-mails or archives.")
    if not data:
        raise DocumentError(f"{name} is empty.")
    if suffix == ".eml":
        return read_eml(data, name, partial(read_bytes, depth=depth + 1))
    if suffix in _BYTE_READERS:
        return _BYTE_READERS[suffix](data, name)
    if suffix == ".pdf":
        return read_pdf_bytes(data, name)
    if suffix not in _ON_DISK:
        raise DocumentError(f"{name}: not a kind of file the app reads.")
    with tempfile.TemporaryDirectory(prefix="member-") as folder:
        path = Path(folder) / f"member{suffix}"
        path.write_bytes(data)
        return _read_path(path, name, depth)


def read_pdf_bytes(data: bytes, name: str) -> Sections:
    """A PDF's pages by their text layer (PDFium), cited as pages."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise DocumentError(f"{name} is protected by a password; it was not read.") from e
        raise DocumentError(f"{name} is not a PDF, or it is damaged.") from e
    try:
        if len(document) > MAX_MEMBER_PAGES:
            raise DocumentError(f"{name} has {len(document):,} pages; the limit is {MAX_MEMBER_PAGES:,}.")
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded().replace("\r\n", "\n"))
            textpage.close()
            page.close()
    except pdfium.PdfiumError as e:
        raise DocumentError(f"{name} is damaged: a page of it cannot be read.") from e
    finally:
        document.close()
    if not any(p.strip() for p in pages):
        raise DocumentError(f"{name} has no text layer (it may be scanned; OCR is not run inside a file).")
    return Sections(pages, "page", "")
