"""How a citation names its place in a document."""

from __future__ import annotations

import re
from typing import Any

ROWS_PER_UNIT = 40
"""Rows in one unit of a CSV table: unit 1 holds rows 2-41 (row 1 is the header row), unit 2 rows
42-81, ...; documents/table_formats.py writes them so, and a citation turns units back into rows."""

_NAMED = {"section": "section", "sheet": "sheet", "slide": "slide", "chapter": "chapter", "cell": "cell"}


#: A spreadsheet row as documents/table_formats.py writes it: "Row 42: Region: East; ...".
_SHEET_ROW = re.compile(r"^Row (\d+):", re.MULTILINE)


def location(unit: str, start: Any, end: Any, text: str = "") -> str:
    """ "p. 5", "pp. 5-6", "section 3", "sections 3-4", "¶ 12-14", "slide 4", "sheet 2", "cell 7",
    "chapter 3" or, for a CSV table's units ("row block"), "rows 2-41"; a passage of one sheet
    whose ``text`` holds its rows says which ("sheet 2, rows 42-81")."""
    span = f"{start}" if start == end else f"{start}-{end}"
    if unit == "sheet" and start == end and (rows := [int(r) for r in _SHEET_ROW.findall(text)]):
        first, last = min(rows), max(rows)
        return (
            f"sheet {start}, row{'s' if first != last else ''} {first}{f'-{last}' if first != last else ''}"
        )
    if unit in _NAMED:
        return f"{_NAMED[unit]}{'s' if start != end else ''} {span}"
    if unit == "paragraph":
        return f"¶ {span}"
    if unit == "row block":
        try:
            first, last = (int(start) - 1) * ROWS_PER_UNIT + 2, int(end) * ROWS_PER_UNIT + 1
        except (TypeError, ValueError):
            return f"rows {span}"
        return f"rows {first}-{last}"
    return f"p{'p' if start != end else ''}. {span}"
