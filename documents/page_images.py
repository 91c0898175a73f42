"""A picture of one page of a PDF, rendered offline with PDFium (pypdfium2), with given lines of
text highlighted where PDFium finds them on the page; cached as PNG, so a page is drawn once.

The picture is served by the app itself (Streamlit's own media files), never fetched from
anywhere, and it holds nothing but pixels.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from pathlib import Path

from utils.files import write_atomically

WIDTH_PX = 900  # small enough to load at once (about 100-250 kB), large enough to read a table
HIGHLIGHT = (255, 214, 0, 90)  # translucent yellow
_VALUE = re.compile(r"\(?\$?\d[\d,]*(?:\.\d+)?\)?%?")


def page_picture(pdf: Path, page: int, highlights: Sequence[str], cache_dir: Path) -> bytes | None:
    """PNG of page ``page`` (1-based) of ``pdf`` with ``highlights`` marked; None when the page
    cannot be drawn (no such page, a damaged file)."""
    marked = hashlib.sha256(f"{WIDTH_PX}|{'|'.join(highlights)}".encode()).hexdigest()[:16]
    cached = cache_dir / f"{pdf.stem}-{page}-{marked}.png"  # by document, so they go with it
    if cached.is_file():
        return cached.read_bytes()
    try:
        png = _render(pdf, page, highlights)
    except Exception:  # noqa: BLE001 - any PDFium failure: the passage is shown without its page
        return None
    if png is not None:
        write_atomically(cached, png)
    return png


def _render(pdf_path: Path, page_number: int, highlights: Sequence[str]) -> bytes | None:
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        if not 1 <= page_number <= len(pdf):
            return None
        page = pdf[page_number - 1]
        scale = WIDTH_PX / page.get_width()
        image = page.render(scale=scale).to_pil().convert("RGBA")
        boxes = _boxes(page, highlights)
        if boxes:
            overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
            draw = ImageDraw.Draw(overlay)
            height = page.get_height()
            for left, bottom, right, top in boxes:
                draw.rectangle(
                    [
                        left * scale - 2,
                        (height - top) * scale - 2,
                        right * scale + 2,
                        (height - bottom) * scale + 2,
                    ],
                    fill=HIGHLIGHT,
                )
            image = Image.alpha_composite(image, overlay)
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        pdf.close()


def _boxes(page, highlights: Sequence[str]) -> list[tuple[float, float, float, float]]:
    """Rectangles (PDF points) of each highlighted line's label and values on the page: a line is
    searched for in pieces, as PDFium's text keeps a table's columns apart; where the label is
    also found elsewhere ("Cost of revenue"), only its places on a row with the values are kept."""
    textpage = page.get_textpage()
    boxes = []
    for line in highlights:
        label, values = _pieces(line)
        value_boxes = [box for value in values for box in _found(textpage, value)]
        label_boxes = _found(textpage, label) if label else []
        on_row = [b for b in label_boxes if any(_same_row(b, v) for v in value_boxes)]
        boxes += value_boxes + (on_row or label_boxes)
    return boxes


def _found(textpage, text: str) -> list[tuple[float, float, float, float]]:
    searcher = textpage.search(text, match_case=False, match_whole_word=False)
    boxes = []
    found = searcher.get_next()
    while found:
        index, count = found
        boxes += [textpage.get_rect(i) for i in range(textpage.count_rects(index, count))]
        found = searcher.get_next()
    return boxes


def _same_row(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return min(a[3], b[3]) - max(a[1], b[1]) > 0.5 * min(a[3] - a[1], b[3] - b[1])


def _pieces(line: str) -> tuple[str, list[str]]:
    """The label of a row and its values ("Total net sales 117,154 123,945" -> "Total net sales",
    ["117,154", "123,945"]); a line of prose is searched for whole."""
    text = " ".join(line.split())
    values = [v.strip("()$%") for v in _VALUE.findall(text) if len(v.strip("()$%")) >= 3]
    label = _VALUE.sub(" ", text).replace("$", " ")
    label = " ".join(label.split()).strip(" .:")
    if not values:
        return text, []
    return (label if len(label) >= 4 else ""), values
