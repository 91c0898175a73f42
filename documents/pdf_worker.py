"""Child process of ``pdf_processor``: prints one JSON line per page, then a closing line.

    {"title": "..."} {"page": 1, "of": 12, "text": "..."} ... {"done": true, "extractor": "pdfium"}
    or {"error": "...", "kind": "password" | "broken" | "too_big"}

A page without a usable text layer is read by OCR when PDF_OCR=1 (documents/ocr.py): first
{"ocr": 3, "of": 12} (progress), then its page line with "ocr": true, or with "refused": "why"
when the page or an image on it has more than PDF_OCR_MAX_PIXELS pixels.

The password comes in the PDF_PASSWORD environment variable, never on the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


Page = tuple[int, int, str, dict]  # number, total, text, and what OCR did ({"ocr": True} / {"refused": why})


def _pdfium_pages(path: str, password: str | None, max_pages: int) -> Iterator[Page]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path, password=password)
    try:
        _emit({"title": (doc.get_metadata_dict().get("Title") or "").strip()})
        total = len(doc)
        _check_count(total, max_pages)
        ocr = os.environ.get("PDF_OCR") == "1"
        for i in range(total):
            page = doc[i]
            textpage = page.get_textpage()
            text = textpage.get_text_bounded().replace("\r\n", "\n")
            textpage.close()
            text, how = _ocr_if_scanned(page, i + 1, total, text) if ocr else (text, {})
            page.close()
            yield i + 1, total, text, how
    finally:
        doc.close()


def _ocr_if_scanned(page, number: int, total: int, text: str) -> tuple[str, dict]:
    """The page's OCR text when its own text layer is unusable, else ``text``; with what was done
    ({} nothing, {"ocr": True} read by OCR, {"refused": why} not read)."""
    import pypdfium2.raw as pdfium_c

    from documents import ocr

    images = list(page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))
    if not ocr.needs_ocr(text, bool(images)):
        return text, {}
    limit = int(os.environ.get("PDF_OCR_MAX_PIXELS", "50000000"))
    scale = ocr.DPI / 72
    width, height = page.get_size()
    try:
        for image in images:
            ocr.check_pixels(*image.get_px_size(), limit, "an image on it")
        ocr.check_pixels(round(width * scale), round(height * scale), limit, f"the page at {ocr.DPI} dpi")
    except ocr.PageTooLarge as e:
        return text, {"refused": f"page {number}: {e}"}
    _emit({"ocr": number, "of": total})
    import io

    bitmap = page.render(scale=scale, grayscale=True)
    buffer = io.BytesIO()
    bitmap.to_pil().save(buffer, format="PNG")
    bitmap.close()
    timeout = float(os.environ.get("PDF_OCR_PAGE_TIMEOUT_S", "60"))
    try:
        read = ocr.read_png(buffer.getvalue(), timeout)
    except subprocess.TimeoutExpired:
        return text, {"refused": f"page {number}: OCR took longer than {timeout:.0f} s"}
    except (OSError, RuntimeError) as e:
        return text, {"refused": f"page {number}: OCR failed ({e})"}
    return read, {"ocr": True}


def _pypdf_pages(path: str, password: str | None, max_pages: int) -> Iterator[Page]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(password or ""):
        raise PermissionError("password")
    _emit({"title": str((reader.metadata or {}).get("/Title") or "").strip()})
    total = len(reader.pages)
    _check_count(total, max_pages)
    for i, page in enumerate(reader.pages):
        yield i + 1, total, page.extract_text() or "", {}


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
            for number, total, text, how in pages(path, password, max_pages):
                _emit({"page": number, "of": total, "text": text, **how})
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
