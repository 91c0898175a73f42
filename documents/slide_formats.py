"""PowerPoint decks (.pptx, python-pptx) as one unit per slide, cited "slide N": its title, the
text of its shapes (groups included), tables row by row (cells joined by " | ") and its speaker
notes."""

from __future__ import annotations

import zipfile
from pathlib import Path

from documents.text_formats import Sections
from errors import DocumentError


def read_pptx(path: Path, name: str) -> Sections:
    try:
        from pptx import Presentation
        from pptx.exc import PackageNotFoundError
    except ImportError as e:  # pragma: no cover - a broken install
        raise DocumentError(f"{name}: PowerPoint files need python-pptx ({e}).") from e
    try:
        deck = Presentation(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise DocumentError(f"{name} is not a PowerPoint (.pptx) deck, or it is damaged.") from e
    units = []
    for number, slide in enumerate(deck.slides, start=1):
        title_shape = slide.shapes.title
        title = title_shape.text_frame.text.strip() if title_shape is not None else ""
        lines = [f"Slide {number}: {title}" if title else f"Slide {number}"]
        for shape in slide.shapes:
            if title_shape is not None and shape.shape_id == title_shape.shape_id:
                continue
            lines.extend(_shape_lines(shape))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                lines.append("Notes: " + notes.text.replace("\x0b", "\n").strip())
        units.append("\n".join(lines))
    return Sections(units, "slide", (deck.core_properties.title or "").strip())


def _shape_lines(shape) -> list[str]:
    if getattr(shape, "shapes", None) is not None:  # a group
        return [line for inner in shape.shapes for line in _shape_lines(inner)]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = [" | ".join(c.text.strip() for c in row.cells) for row in shape.table.rows]
        return [r for r in rows if r.strip(" |")]
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        text = shape.text_frame.text.replace("\x0b", "\n").strip()  # \x0b: a line break
        return [text] if text else []
    return []
