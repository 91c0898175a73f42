"""Tables (.csv, .tsv, .xlsx, .xls) as citable units whose every row still says what each value is.

Each row is written with its column headers, "Region: East; Q1 sales: 1,200; ...", and its row
number, rather than one header line at the top of a unit: chunking cuts a unit into passages and a
passage from the middle of a unit would lose a header line, but never loses labels written into
each row. The first non-empty row is taken as the header row (csv.Sniffer's has_header guess is
unreliable on short tables); a blank header cell becomes its column letter ("column C"), and a
sheet whose first row is only figures has no header row: its columns are named by letter.

- .csv / .tsv: any encoding (``decode_text``), delimiter sniffed (comma, semicolon, tab, pipe),
  else tab for .tsv and comma for .csv. Units are blocks of ``ROWS_PER_UNIT`` rows, cited as rows
  ("rows 2-41"; row 1 is the header row, as a spreadsheet numbers them);
- .xlsx (openpyxl, read-only, cached formula values) and .xls (xlrd): one unit per sheet, cited
  "sheet N", the sheet's name heading its text; a formula whose value was never saved (a file
  written by a program, not Excel) is said so. Empty rows cost nothing: read-only mode streams
  only the rows the file stores, and a sheet stops after ``MAX_ROWS`` rows or ``MAX_CELLS`` cells
  with a line saying so.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from documents.slide_formats import read_pptx
from documents.text_formats import Sections, decode_text
from documents.text_formats import read_file as read_text_file
from errors import DocumentError
from utils.citations import ROWS_PER_UNIT

MAX_ROWS = 200_000  # rows read from one sheet
MAX_CELLS = 2_000_000  # non-empty cells read from one workbook
_DELIMITERS = ",;\t|"
_NO_CACHED_VALUE = "(formula, value not saved)"


def _letter(index: int) -> str:
    """0 -> "A", 25 -> "Z", 26 -> "AA"."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


class _Labeller:
    """Rows as "Header: value; ..." lines under the header row it was given."""

    def __init__(self, header: list[str]):
        self.header = [h or f"column {_letter(i)}" for i, h in enumerate(header)]

    def line(self, number: int, cells: list[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            if cell:
                label = self.header[i] if i < len(self.header) else f"column {_letter(i)}"
                parts.append(f"{label}: {cell}")
        return f"Row {number}: " + "; ".join(parts)


def _is_header(cells: list[str]) -> bool:
    """Whether a sheet's first row names its columns: some cell of it is words, not only figures
    (a sheet of bare numbers from its first row has no header; its columns are named by letter)."""
    return any(re.search(r"[^\W\d_]", c) and not _NUMBER.fullmatch(c) for c in cells if c)


_NUMBER = re.compile(r"[-+(]?[$€£]?\s?[\d.,]+%?\)?|(?i:true|false)")


def _sniff_delimiter(text: str, suffix: str) -> str:
    sample = text[:64 * 1024]  # fmt: skip
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    if suffix == ".tsv":
        return "\t"
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def read_csv(data: bytes, name: str) -> Sections:
    """A CSV or TSV file in blocks of ``ROWS_PER_UNIT`` rows, each row with its headers."""
    text = decode_text(data, name)
    delimiter = _sniff_delimiter(text, Path(name).suffix.lower())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    units: list[str] = []
    block: list[str] = []
    labeller: _Labeller | None = None
    try:
        for number, record in enumerate(reader, start=1):
            cells = [_cell_text(c) for c in record]
            if labeller is None:
                if any(cells):
                    labeller = _Labeller(cells)
                    if number != 1:
                        raise DocumentError(
                            f"{name}: its first row is empty; the header row must come first."
                        )
                continue
            if any(cells):
                block.append(labeller.line(number, cells))
            if (number - 1) % ROWS_PER_UNIT == 0:  # rows 2-41, 42-81, ...: the unit is full
                units.append("\n".join(block))
                block = []
    except csv.Error as e:
        raise DocumentError(f"{name} is not a readable table ({e}).") from e
    if block:
        units.append("\n".join(block))
    if labeller is None:
        raise DocumentError(f"{name} is empty.")
    return Sections(units, "row block")


def _sheet_text(title: str, rows: Iterable[tuple[int, list]], budget: list[int]) -> str:
    """A sheet's text: its name, then each non-empty row with its headers."""
    lines = [f"Sheet: {title}"]
    labeller: _Labeller | None = None
    count = 0  # rows that hold something
    for number, values in rows:
        cells = [_cell_text(v) for v in values]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if labeller is None:
            labeller = _Labeller(cells if _is_header(cells) else [""] * len(cells))
            lines.append(
                "Columns: " + "; ".join(h for h, c in zip(labeller.header, cells, strict=False) if c)
            )
            if _is_header(cells):
                continue
        count += 1
        budget[0] -= sum(1 for c in cells if c)
        if count > MAX_ROWS or budget[0] < 0:
            lines.append(f"(the rest of this sheet is not read: the limit is {MAX_ROWS:,} rows and "
                         f"{MAX_CELLS:,} cells in a workbook)")  # fmt: skip
            break
        lines.append(labeller.line(number, cells))
    return "\n".join(lines) if labeller is not None else ""


def read_xlsx(path: Path, name: str) -> Sections:
    """An Excel workbook (.xlsx, .xlsm): one unit per sheet that holds anything."""
    try:
        import openpyxl
    except ImportError as e:  # pragma: no cover - a broken install
        raise DocumentError(f"{name}: Excel files need openpyxl ({e}).") from e
    if _is_encrypted_ole(path):
        raise DocumentError(f"{name} is protected by a password; save a copy without the password to add it.")
    try:
        values = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(str(path), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as e:
        raise DocumentError(f"{name} is not an Excel (.xlsx) workbook, or it is damaged.") from e
    units: list[str] = []
    budget = [MAX_CELLS]
    try:
        for sheet, sheet_formulas in zip(values.worksheets, formulas.worksheets, strict=True):
            if not hasattr(sheet, "iter_rows"):  # a chart sheet
                continue
            rows = _xlsx_rows(sheet, sheet_formulas)
            units.append(_sheet_text(sheet.title, rows, budget))
    finally:
        values.close()
        formulas.close()
    return Sections([u for u in units if u] or [], "sheet", (values.properties.title or "").strip())


def _xlsx_rows(sheet, sheet_formulas):
    """(row number, values) of each row; a formula without a cached value is said so."""
    rows = sheet.iter_rows(min_row=1, values_only=True)
    formula_rows = sheet_formulas.iter_rows(min_row=1, values_only=True)
    for number, (values, formula_values) in enumerate(zip(rows, formula_rows, strict=False), start=1):
        out = list(values)
        for i, formula in enumerate(formula_values):
            if i < len(out) and out[i] is None and isinstance(formula, str) and formula.startswith("="):
                out[i] = _NO_CACHED_VALUE
        yield number, out


def _is_encrypted_ole(path: Path) -> bool:
    """A password-protected .xlsx is an OLE compound file (EncryptedPackage), not a zip."""
    with open(path, "rb") as f:
        return f.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_xls(path: Path, name: str) -> Sections:
    """An old Excel workbook (.xls, Excel 97-2003): one unit per sheet."""
    try:
        import xlrd
    except ImportError as e:  # pragma: no cover - a broken install
        raise DocumentError(f"{name}: old Excel files need xlrd ({e}).") from e
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.biffh.XLRDError as e:
        if "encrypt" in str(e).lower() or "password" in str(e).lower():
            raise DocumentError(
                f"{name} is protected by a password; save a copy without it to add it."
            ) from e
        raise DocumentError(f"{name} is not an old Excel (.xls) workbook, or it is damaged ({e}).") from e
    except (OSError, ValueError, IndexError, AssertionError) as e:
        raise DocumentError(f"{name} is not an old Excel (.xls) workbook, or it is damaged.") from e
    units: list[str] = []
    budget = [MAX_CELLS]
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = ((r + 1, sheet.row_values(r)) for r in range(min(sheet.nrows, MAX_ROWS + 1)))
            units.append(_sheet_text(sheet.name, rows, budget))
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return Sections([u for u in units if u], "sheet")


def read_file(path: Path, name: str) -> Sections:
    """The units of a table (.csv, .tsv, .xlsx, .xlsm, .xls), a deck (.pptx) or, by
    documents/text_formats.py, of any other file the worker reads (by ``name``'s extension)."""
    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, name)
    if suffix == ".xls":
        return read_xls(path, name)
    if suffix in (".csv", ".tsv"):
        return read_csv(path.read_bytes(), name)
    if suffix == ".pptx":
        return read_pptx(path, name)
    return read_text_file(path, name)
