"""Child process of ``pdf_processor``: prints one JSON line per page, then a closing line.

    {"title": "..."} {"page": 1, "of": 12, "text": "..."} ... {"done": true, "extractor": "pdfium"}
    or {"error": "...", "kind": "password" | "broken" | "too_big"}

The password comes in the PDF_PASSWORD environment variable, never on the command line.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _pdfium_pages(path: str, password: str | None, max_pages: int) -> Iterator[tuple[int, int, str]]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path, password=password)
    try:
        _emit({"title": (doc.get_metadata_dict().get("Title") or "").strip()})
        total = len(doc)
        _check_count(total, max_pages)
        for i in range(total):
            page = doc[i]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded()
            textpage.close()
            page.close()
            yield i + 1, total, text.replace("\r\n", "\n")
    finally:
        doc.close()


def _pypdf_pages(path: str, password: str | None, max_pages: int) -> Iterator[tuple[int, int, str]]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(password or ""):
        raise PermissionError("password")
    _emit({"title": str((reader.metadata or {}).get("/Title") or "").strip()})
    total = len(reader.pages)
    _check_count(total, max_pages)
    for i, page in enumerate(reader.pages):
        yield i + 1, total, page.extract_text() or ""


class TooBig(Exception):
    pass


def _check_count(total: int, max_pages: int) -> None:
    if total > max_pages:
        raise TooBig(f"it has {total:,} pages; the limit is {max_pages:,}.")


def main(path: str, max_pages: int) -> int:
    password = os.environ.get("PDF_PASSWORD") or None
    errors = []
    for name, pages in (("pdfium", _pdfium_pages), ("pypdf", _pypdf_pages)):
        sent = 0
        try:
            for number, total, text in pages(path, password, max_pages):
                _emit({"page": number, "of": total, "text": text})
                sent += 1
            _emit({"done": True, "extractor": name})
            return 0
        except TooBig as e:
            _emit({"error": str(e), "kind": "too_big"})
            return 0
        except Exception as e:  # noqa: BLE001 - any parser failure: report it, try the next reader
            if _is_password_error(e):
                _emit({"error": "password required", "kind": "password"})
                return 0
            errors.append(f"{name}: {type(e).__name__}: {e}")
            if sent:  # pages already sent cannot be taken back: stop here
                break
    _emit({"error": "the file is damaged and could not be read.", "kind": "broken", "detail": errors})
    return 0


def _is_password_error(e: Exception) -> bool:
    text = f"{type(e).__name__} {e}".lower()
    return "password" in text or isinstance(e, PermissionError)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
