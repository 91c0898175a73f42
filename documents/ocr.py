"""Text of scanned pages by OCR: Tesseract 5 (Debian's ``tesseract-ocr``, English data), run as a
command on a page rendered at 300 dpi.

Only pages without a usable text layer are read this way (``needs_ocr``): empty ones, and ones
whose text is garbage (a font without a Unicode map gives private-use or replacement characters).
The command runs inside the PDF worker process, so the worker's memory cap and the per-file time
limit apply to it too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata

DPI = 300
MIN_LETTERS = 20  # fewer letters than this on a page with an image: the page is a scan
MAX_GARBAGE_SHARE = 0.3  # more unreadable characters than this: the text layer is garbage


class PageTooLarge(Exception):
    """A page (or an image on it) with more pixels than the limit: not rendered."""


def available() -> bool:
    return shutil.which("tesseract") is not None


def needs_ocr(text: str, has_images: bool) -> bool:
    """Whether a page's own text layer is unusable and it holds something OCR could read: a scan
    (an image and hardly any letters), or text in a font without a Unicode map (symbols where the
    letters should be, or unreadable characters)."""
    visible = [ch for ch in text if not ch.isspace()]
    letters = sum(ch.isalpha() for ch in visible)
    if letters < MIN_LETTERS:
        if has_images:
            return True
        alphanumeric = sum(ch.isalnum() for ch in visible)
        if len(visible) >= 3 and alphanumeric < 0.5 * len(visible):
            return True
    return sum(_unreadable(ch) for ch in visible) > MAX_GARBAGE_SHARE * max(len(visible), 1)


def _unreadable(ch: str) -> bool:
    category = unicodedata.category(ch)
    return ch == "\ufffd" or category in ("Co", "Cn", "Cc", "Cs")


def check_pixels(width_px: int, height_px: int, limit: int, what: str) -> None:
    if width_px * height_px > limit:
        raise PageTooLarge(
            f"{what} is {width_px:,} × {height_px:,} pixels; the limit for OCR is "
            f"{limit / 1e6:.0f} megapixels"
        )


def read_png(png: bytes, timeout_s: float) -> str:
    """The text Tesseract reads in a PNG image (English, automatic page layout)."""
    done = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "eng", "--psm", "3"],
        input=png,
        capture_output=True,
        timeout=timeout_s,
        check=False,
        # Tesseract's OpenMP threads slow it down on small machines (measured: 11.7 s -> 4.3 s a
        # page on 2 cores); one page at a time on one thread leaves a core for the app.
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr.decode(errors="replace").strip()[:300] or "tesseract failed")
    return done.stdout.decode("utf-8", errors="replace")
