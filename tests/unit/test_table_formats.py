"""CSV, TSV and Excel files read into units whose every row keeps its column headers."""

from __future__ import annotations

import pytest

from documents.table_formats import read_csv, read_file, read_xls, read_xlsx
from errors import DocumentError
from tests.conftest import ROOT
from utils.citations import location

CSV = ROOT / "tests" / "data" / "csv"


def test_real_csv_rows_keep_their_headers_and_are_cited_as_rows():
    sections = read_file(CSV / "top-economies.csv", "top-economies.csv")
    assert sections.unit == "row block"
    assert len(sections.units) == 6  # 230 rows in blocks of 40
    assert (
        sections.units[0].split("\n")[0] == "Row 2: country: United States; year: 2000; gdp_trillion: 10.251"
    )
    assert "Row 42: country: China; year: 2017; gdp_trillion: 12.3105" in sections.units[1]
    assert location("row block", 2, 2) == "rows 42-81"
    assert location("row block", 1, 3) == "rows 2-121"


def test_cp1252_csv_with_semicolons_and_shift_jis_csv():
    text = "Région;Ventes T1;Remarque\nÉvry;1 200,50;très bien\nNîmes;980;à revoir\n"
    sections = read_csv(text.encode("cp1252"), "ventes.csv")
    assert sections.units == [
        "Row 2: Région: Évry; Ventes T1: 1 200,50; Remarque: très bien\n"
        "Row 3: Région: Nîmes; Ventes T1: 980; Remarque: à revoir"
    ]
    japanese = "地域,売上\n東京,1200\n大阪,980\n".encode("shift_jis")
    assert "Row 3: 地域: 大阪; 売上: 980" in read_csv(japanese, "売上.csv").units[0]


def test_tsv_blank_header_and_empty_file():
    sections = read_csv(b"name\t\tcity\nAda\t36\tLondon\n\n", "people.tsv")
    assert sections.units == ["Row 2: name: Ada; column B: 36; city: London"]
    with pytest.raises(DocumentError, match="empty"):
        read_csv(b"\n\n", "nothing.csv")
    with pytest.raises(DocumentError, match="not a text file"):
        read_csv(b"PK\x03\x04\x00\x00binary", "sheet.csv")


def test_xlsx_sheets_are_units_with_names_and_unsaved_formulas_are_said(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sales 2024"
    sheet.append(["Region", "Q1 sales", "Total"])
    sheet.append(["East", 1200, "=B2*2"])
    other = book.create_sheet("Staff")
    other.append(["Name", "Role"])
    other.append(["Ada", "Engineer"])
    book.create_sheet("Empty")
    book.save(tmp_path / "book.xlsx")
    sections = read_file(tmp_path / "book.xlsx", "book.xlsx")
    assert sections.unit == "sheet"
    assert sections.units[0] == (
        "Sheet: Sales 2024\nColumns: Region; Q1 sales; Total\n"
        "Row 2: Region: East; Q1 sales: 1200; Total: (formula, value not saved)"
    )
    assert sections.units[1].endswith("Row 2: Name: Ada; Role: Engineer")
    assert len(sections.units) == 2
    assert location("sheet", 2, 2) == "sheet 2"


def test_xlsx_data_far_down_is_read_without_hanging(tmp_path):
    import time

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Item", "Cost"])
    sheet.cell(row=1_000_000, column=1, value="Mirror")
    sheet.cell(row=1_000_000, column=2, value=48250)
    book.save(tmp_path / "far.xlsx")
    started = time.monotonic()
    sections = read_xlsx(tmp_path / "far.xlsx", "far.xlsx")
    assert time.monotonic() - started < 30
    assert "Row 1000000: Item: Mirror; Cost: 48250" in sections.units[0]


def test_broken_and_protected_workbooks_get_clear_messages(tmp_path):
    fake = tmp_path / "report.xlsx"
    fake.write_bytes(b"not a workbook at all")
    with pytest.raises(DocumentError, match="not an Excel"):
        read_xlsx(fake, "report.xlsx")
    protected = tmp_path / "locked.xlsx"  # an encrypted .xlsx is an OLE file, not a zip
    protected.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    with pytest.raises(DocumentError, match="protected by a password"):
        read_xlsx(protected, "locked.xlsx")
    with pytest.raises(DocumentError, match="not an old Excel"):
        read_xls(fake, "report.xls")


def test_real_xls_workbooks_from_xlrd():
    xlsx = ROOT / "tests" / "data" / "xlsx"
    profiles = read_file(xlsx / "profiles.xls", "profiles.xls")
    assert profiles.unit == "sheet" and len(profiles.units) == 5
    assert profiles.units[1].startswith(
        "Sheet: AXISDEF\nColumns: PROFIL; i; d\nRow 2: PROFIL: P8.2; i: 1; d: 100"
    )
    ragged = read_file(xlsx / "ragged.xls", "ragged.xls")
    assert ragged.units == [
        "Sheet: Sheet1\nColumns: a; b; c\nRow 2: a: d; b: e\nRow 3: a: f\n"
        "Row 4: a: g; b: h; c: I; column D: j\nRow 5: a: k; column D: l"
    ]


def test_real_xlsx_workbooks_saved_by_excel():
    xlsx = ROOT / "tests" / "data" / "xlsx"
    sales = read_file(xlsx / "autofilter00.xlsx", "autofilter00.xlsx")
    assert sales.unit == "sheet" and len(sales.units) == 1
    lines = sales.units[0].split("\n")
    assert lines[:3] == [
        "Sheet: Sheet1",
        "Columns: Region; Item; Volume; Month",
        "Row 2: Region: East; Item: Apple; Volume: 9000; Month: July",
    ]
    assert len(lines) == 2 + 50  # every data row
    table = read_file(xlsx / "table14.xlsx", "table14.xlsx").units[0].split("\n")
    assert table[1:3] == [  # an Excel table starting at C2: no blank "column A" among the columns
        "Columns: Column1; Column2; Column3; Column4",
        "Row 3: Column1: Foo; Column2: 1234; Column3: 2000; Column4: 4321",
    ]
    results = read_file(xlsx / "formula_results01.xlsx", "formula_results01.xlsx").units[0]
    assert results.split("\n")[1:4] == [  # its first cell is a figure: a value, not a header
        "Columns: column A",
        "Row 1: column A: 2",
        "Row 2: column A: Foo",
    ]
    assert "Row 12: column A: #DIV/0!" in results  # formula results Excel saved


def test_a_passage_of_a_sheet_is_cited_with_its_rows():
    from core.events import Source

    sheet = read_file(ROOT / "tests" / "data" / "xlsx" / "autofilter00.xlsx", "autofilter00.xlsx").units[0]
    lines = sheet.split("\n")
    passage = "\n".join(["Volume: 1000; Month: July", *lines[11:22]])  # cut mid-row, as a chunk may be
    assert location("sheet", 1, 1, passage) == "sheet 1, rows 11-21"
    source = Source(1, "autofilter00.xlsx", 1, 1, 0.8, passage, unit="sheet")
    assert source.pages == "sheet 1, rows 11-21"
    assert location("sheet", 1, 1, lines[2]) == "sheet 1, row 2"
    assert location("sheet", 1, 2, passage) == "sheets 1-2"  # a passage over two sheets: no rows
    assert location("page", 3, 3, passage) == "p. 3"
