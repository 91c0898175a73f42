"""The registry of document formats: which reader takes a file, chosen by its extension.

PDFs go to ``documents.pdf_worker`` (PDFium, pypdf, OCR for scanned pages); every other kind to
``documents.doc_worker``, where documents/file_readers.py picks its reader by extension. Both run
in a child process with the same time limit and memory cap, and answer with the same
``ExtractedDocument``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from documents.pdf_processor import MAX_PAGES, ExtractedDocument, OcrOptions, extract_pdf
from errors import DocumentError

MAX_SECTIONS = 100_000  # paragraphs of a long text file


@dataclass(frozen=True)
class DocumentFormat:
    kind: str  # "pdf" or "text"
    description: str
    plain_text: bool = False  # read whole into memory by a parser: kept under the text size limit


FORMATS: dict[str, DocumentFormat] = {
    ".pdf": DocumentFormat("pdf", "PDF"),
    ".docx": DocumentFormat("text", "Word document"),
    ".html": DocumentFormat("text", "web page", plain_text=True),
    ".htm": DocumentFormat("text", "web page", plain_text=True),
    ".md": DocumentFormat("text", "Markdown", plain_text=True),
    ".markdown": DocumentFormat("text", "Markdown", plain_text=True),
    ".txt": DocumentFormat("text", "text file", plain_text=True),
    ".csv": DocumentFormat("text", "CSV table", plain_text=True),
    ".tsv": DocumentFormat("text", "TSV table", plain_text=True),
    ".xlsx": DocumentFormat("text", "Excel workbook"),
    ".xlsm": DocumentFormat("text", "Excel workbook"),
    ".xls": DocumentFormat("text", "Excel workbook"),
    ".pptx": DocumentFormat("text", "PowerPoint deck"),
    ".ipynb": DocumentFormat("text", "Jupyter notebook", plain_text=True),
    ".json": DocumentFormat("text", "JSON file", plain_text=True),
    ".xml": DocumentFormat("text", "XML file", plain_text=True),
    ".epub": DocumentFormat("text", "e-book"),
    ".eml": DocumentFormat("text", "e-mail"),
    ".msg": DocumentFormat("text", "Outlook message"),
    ".zip": DocumentFormat("text", "zip archive"),
}
SUPPORTED = tuple(FORMATS)
NOT_READ = {
    ".ppt": "old PowerPoint slides (.ppt: save it as .pptx)",
    ".doc": "old Word documents (.doc: save it as .docx in Word or LibreOffice)",
    ".odt": "OpenDocument texts (save it as .docx)",
    ".rtf": "RTF documents (save it as .docx)",
    ".png": "pictures (put a scan in a PDF to have it read by OCR)",
    ".jpg": "pictures (put a scan in a PDF to have it read by OCR)",
    ".jpeg": "pictures (put a scan in a PDF to have it read by OCR)",
}
"""Common kinds that are not read, named in words when a file of one is refused."""


def supported_kinds() -> str:
    """The kinds read, in words: "PDFs (.pdf), Word documents (.docx), ... and text files (.txt)"."""
    suffixes: dict[str, list[str]] = {}
    for suffix, form in FORMATS.items():
        many = form.description if form.description == "Markdown" else form.description + "s"
        suffixes.setdefault(many, []).append(suffix)
    kinds = [f"{name} ({', '.join(found)})" for name, found in suffixes.items()]
    return ", ".join(kinds[:-1]) + " and " + kinds[-1]


def refusal(name: str) -> str | None:
    """Why ``name`` is not added, in words, when no reader takes its kind; None when one does."""
    suffix = Path(name).suffix.lower()
    if suffix in FORMATS:
        return None
    kind = NOT_READ.get(suffix) or (
        f"files of this kind ({suffix})" if suffix else "files without an extension"
    )
    return f"{name} was not added: {kind} are not read. The knowledge base reads {_suffixes()} files."


def _suffixes() -> str:
    """The extensions read, for a refusal that fits under the file's name: ".pdf, .docx, ... and .zip"."""
    return ", ".join(SUPPORTED[:-1]) + " and " + SUPPORTED[-1]


@dataclass(frozen=True)
class ReadOptions:
    password: str = ""
    timeout_s: float = 120.0
    ocr: OcrOptions | None = None
    max_text_bytes: int = 20 * 2**20


def read_document(
    path: Path,
    name: str,
    options: ReadOptions,
    on_unit: Callable[[int, int], None] | None = None,
    on_ocr: Callable[[int, int], None] | None = None,
) -> ExtractedDocument:
    """The text of ``path`` (uploaded as ``name``), by the reader its extension names."""
    suffix = Path(name).suffix.lower()
    form = FORMATS.get(suffix)
    if form is None:
        raise DocumentError(refusal(name) or name)
    size = Path(path).stat().st_size
    if form.plain_text and size > options.max_text_bytes:
        raise DocumentError(
            f"{name} is {size / 2**20:.0f} MB; the limit for a {form.description} is "
            f"{options.max_text_bytes / 2**20:.0f} MB."
        )
    return extract_pdf(
        path,
        options.password or None,
        options.timeout_s,
        on_unit,
        max_pages=MAX_PAGES if form.kind == "pdf" else MAX_SECTIONS,
        name=name,
        ocr=options.ocr if form.kind == "pdf" else None,
        on_ocr=on_ocr,
        kind=form.kind,
        worker="documents.pdf_worker" if form.kind == "pdf" else "documents.doc_worker",
    )
