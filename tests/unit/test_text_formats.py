"""Word, web-page, Markdown and text files read into citable sections or paragraphs (no worker
process here; tests/integration/test_documents_real.py runs them through ingestion)."""

from __future__ import annotations

import zipfile

import pytest

from documents.text_formats import decode_text, read_docx, read_html, read_markdown, read_txt
from errors import DocumentError
from tests.conftest import ROOT

DOCX = ROOT / "tests" / "data" / "docx"


def make_docx(path):
    import docx

    document = docx.Document()
    document.core_properties.title = "Quarterly review"
    document.add_heading("Quarterly review", 0)
    document.add_paragraph("This report covers the Aurora project.")
    document.add_heading("Budget", 1)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Item", "Cost"
    table.cell(1, 0).text, table.cell(1, 1).text = "Telescope mirrors", "$48,250"
    document.add_heading("Risks", 1)
    document.add_paragraph("Shipping delays from the glass supplier.")
    document.save(path)
    return path


def test_docx_sections_follow_headings_and_keep_tables(tmp_path):
    sections = read_docx(make_docx(tmp_path / "review.docx"), "review.docx")
    assert sections.unit == "section" and sections.title == "Quarterly review"
    assert len(sections.units) == 3
    assert sections.units[1] == "Budget\nItem | Cost\nTelescope mirrors | $48,250"
    assert sections.units[2].startswith("Risks")


def test_real_docx_files_from_python_docx(tmp_path):
    between = read_docx(DOCX / "blk-paras-and-tables.docx", "b.docx").units[0]
    assert between.index("Lorem ipsum") < between.index("Text before") < between.index("Donec semper")
    merged = read_docx(DOCX / "tbl-cell-access.docx", "t.docx").units[0]
    assert "4 | 6" in merged.split("\n")  # a merged cell is read once


def test_a_docx_that_is_really_another_zip_is_refused(tmp_path):
    fake = tmp_path / "photos.docx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("holiday.jpg", b"\xff\xd8 not really")
    with pytest.raises(DocumentError, match="photos.docx is not a Word"):
        read_docx(fake, "photos.docx")


def test_html_keeps_main_text_only():
    page = b"""<html><head><title>Aurora news</title><style>p{color:red}</style>
    <script>var secret = "tracking";</script></head><body>
    <nav><a href="/">Home</a> Menu item</nav><header>Site banner</header>
    <main><h1>Aurora ships</h1><p>The mirrors arrived on <b>12 May</b>.</p>
    <table><tr><th>Part</th><th>Count</th></tr><tr><td>Mirror</td><td>18</td></tr></table>
    <h2>Next</h2><p>Assembly starts in June. <img src="http://127.0.0.1:9/x.png"></p></main>
    <footer>Copyright</footer><aside>Related links</aside></body></html>"""
    sections = read_html(page, "news.html")
    text = "\n".join(sections.units)
    assert sections.title == "Aurora news"
    assert sections.units[0] == "Aurora ships\nThe mirrors arrived on 12 May .\nPart | Count\nMirror | 18"
    assert sections.units[1] == "Next\nAssembly starts in June."
    for hidden in ("tracking", "Menu item", "Site banner", "Copyright", "Related links", "color:red"):
        assert hidden not in text


def test_markdown_sections_ignore_hashes_in_code():
    text = b"# Guide\nIntro.\n\n## Install\n```bash\n# not a heading\npip install x\n```\n\n## Use\nRun it.\n"
    sections = read_markdown(text, "guide.md")
    assert [s.split("\n")[0] for s in sections.units] == ["# Guide", "## Install", "## Use"]
    assert "# not a heading" in sections.units[1] and sections.title == "Guide"


@pytest.mark.parametrize(
    "data",
    [
        "Caf\u00e9 cr\u00e8me costs 4 \u20ac.\n\nSecond paragraph.".encode("utf-16"),
        "Caf\u00e9 cr\u00e8me costs 4 \u20ac.\n\nSecond paragraph.".encode("utf-8-sig"),
        "Caf\u00e9 cr\u00e8me costs 4 \u20ac.\n\nSecond paragraph.".encode("cp1252"),
        "Caf\u00e9 cr\u00e8me costs 4 EUR.\n\nSecond paragraph.".encode("latin-1"),
    ],
)
def test_text_in_any_common_encoding(data):
    sections = read_txt(data, "notes.txt")
    assert sections.unit == "paragraph" and len(sections.units) == 2
    assert sections.units[0].startswith("Caf\u00e9 cr\u00e8me costs 4")


def test_binary_renamed_txt_is_refused():
    with pytest.raises(DocumentError, match="song.txt is not a text file"):
        decode_text(bytes(range(256)) * 20, "song.txt")
