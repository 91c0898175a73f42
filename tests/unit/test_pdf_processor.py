"""Real bad PDFs (pikepdf's test files in ../shared/data/badpdfs) and ones made here: each gets a
clear message, none hangs or takes the app down."""

from __future__ import annotations

import pytest
from pypdf import PdfWriter

from documents.pdf_processor import extract_pdf
from errors import DocumentError, PasswordRequired
from tests.conftest import SHARED

BAD = SHARED / "data" / "badpdfs"
DEV = SHARED / "data" / "rag-dev" / "pdfs"


def make_pdf(path, pages=1, password=None):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    if password:
        writer.encrypt(user_password=password, owner_password="owner-" + password)
    with open(path, "wb") as f:
        writer.write(f)
    return path


def test_real_filing_keeps_page_numbers():
    pdf = extract_pdf(DEV / "2023 Q3 INTC.pdf")
    assert pdf.page_count == 54 and pdf.empty_pages == []
    assert "INTEL CORPORATION" in pdf.pages[0]
    assert pdf.title == "10-Q - 10/27/2023 - Intel Corporation"


def test_encrypted_with_empty_user_password_opens_silently():
    pdf = extract_pdf(BAD / "form_dd0293.pdf")
    assert pdf.page_count == 4 and any(p.strip() for p in pdf.pages)


@pytest.mark.parametrize(
    "name, message",
    [
        ("378014596.pdf", "damaged"),
        ("newline-buffer-test.pdf", "no pages"),
        ("pike-flate-jp2.pdf", "no extractable text"),
        ("ccitt-endofline-true.pdf", "no extractable text"),
        ("cyclic-toc.pdf", "no extractable text"),
        ("veraPDF test suite 6-2-3-3-t01-fail-c.pdf", "no extractable text"),
    ],
)
def test_broken_and_odd_pdfs_get_clear_messages(name, message):
    with pytest.raises(DocumentError, match=message) as e:
        extract_pdf(BAD / name)
    assert name in str(e.value)


def test_not_a_pdf_and_empty_file(tmp_path):
    (tmp_path / "notes.pdf").write_text("just some text, not a PDF")
    (tmp_path / "empty.pdf").write_bytes(b"")
    with pytest.raises(DocumentError, match="not a PDF"):
        extract_pdf(tmp_path / "notes.pdf")
    with pytest.raises(DocumentError, match="empty"):
        extract_pdf(tmp_path / "empty.pdf")


def test_password_protected_pdf(tmp_path):
    path = make_pdf(tmp_path / "secret.pdf", password="s3cret")
    with pytest.raises(PasswordRequired, match="password-protected"):
        extract_pdf(path)
    with pytest.raises(PasswordRequired, match="password for secret.pdf is wrong"):
        extract_pdf(path, password="nope")
    with pytest.raises(DocumentError, match="no extractable text"):  # opened: blank pages
        extract_pdf(path, password="s3cret")


def test_absurd_page_count_is_refused(tmp_path):
    path = make_pdf(tmp_path / "many.pdf", pages=60)
    with pytest.raises(DocumentError, match="60 pages; the limit is 50"):
        extract_pdf(path, max_pages=50)


def test_time_limit_per_file():
    with pytest.raises(DocumentError, match="took longer than 0 s"):
        extract_pdf(DEV / "2022 Q3 MSFT.pdf", timeout_s=0.05)


def test_parser_crash_is_contained():
    with pytest.raises(DocumentError, match="crashed"):
        extract_pdf(DEV / "2023 Q3 INTC.pdf", worker="tests.crashing_pdf_worker")


def absurd_count_pdf(path):
    """One real page under a page tree that claims 999,999,999 pages."""
    objects = [
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n",
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 999999999>>endobj\n",
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n",
        b"4 0 obj<</Length 44>>stream\nBT /F1 12 Tf 20 100 Td (Hello absurd) Tj ET\nendstream endobj\n",
        b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for obj in objects:
        offsets.append(len(out))
        out += obj
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer<</Size 6/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(out)
    return path


def test_absurd_claimed_page_count_reads_the_real_pages(tmp_path):
    pdf = extract_pdf(absurd_count_pdf(tmp_path / "absurd.pdf"), timeout_s=20)
    assert pdf.pages == ["Hello absurd"]
