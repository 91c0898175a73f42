"""How a citation names its place in a document."""

from __future__ import annotations

from typing import Any


def location(unit: str, start: Any, end: Any) -> str:
    """ "p. 5", "pp. 5-6", "section 3", "sections 3-4" or "¶ 12-14"."""
    span = f"{start}" if start == end else f"{start}-{end}"
    if unit == "section":
        return f"section{'s' if start != end else ''} {span}"
    if unit == "paragraph":
        return f"¶ {span}"
    return f"p{'p' if start != end else ''}. {span}"
