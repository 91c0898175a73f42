"""E-books read one unit per chapter (a real EPUB 3 book), and the DRM-locked or broken ones
refused in words."""

from __future__ import annotations

import zipfile

import pytest

from documents.document_reader import refusal
from documents.file_readers import read_file
from errors import DocumentError
from tests.conftest import ROOT
from utils.citations import location

ALICE = ROOT / "tests" / "data" / "epub" / "alice.epub"
CONTAINER = """<?xml version="1.0"?><container version="1.0"
xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>
<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles></container>"""
PACKAGE = """<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Harbour Log</dc:title></metadata>
<manifest><item id="c1" href="one.xhtml" media-type="application/xhtml+xml"/>
<item id="font" href="fonts/serif.otf" media-type="font/otf"/></manifest>
<spine><itemref idref="c1"/></spine></package>"""
CHAPTER = "<html><body><h1>Dredging</h1><p>The dredger removed 41,700 cubic metres of silt.</p></body></html>"


def encryption(algorithm: str, uri: str) -> str:
    return f"""<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"
xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData>
<enc:EncryptionMethod Algorithm="{algorithm}"/><enc:CipherData><enc:CipherReference URI="{uri}"/>
</enc:CipherData></enc:EncryptedData></encryption>"""


def make_epub(path, extra: dict[str, str] | None = None, chapter: str = CHAPTER):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", PACKAGE)
        z.writestr("OEBPS/one.xhtml", chapter)
        for member, text in (extra or {}).items():
            z.writestr(member, text)
    return path


def test_a_real_book_in_reading_order_with_chapter_titles():
    book = read_file(ALICE, "alice.epub")
    assert book.unit == "chapter" and book.title == "Alice's Adventures in Wonderland"
    assert len(book.units) == 11  # the title page, then the book's ten chapters (the cover is a picture)
    assert book.units[0].startswith("Chapter 1: Title Page\n")
    assert book.units[1].startswith("Chapter 2: Down The Rabbit-Hole\n")
    assert "Alice was beginning to get very tired of sitting by her" in book.units[1]
    assert '"Fury said to\na mouse,\nThat\nhe met in the\nhouse,' in book.units[3]  # a poem set in <span>s
    assert book.units[10].startswith("Chapter 11: Alice's Evidence\n")
    assert book.units[10].endswith("what a wonderful dream it had been.")
    assert location("chapter", 3, 3) == "chapter 3" and refusal("alice.epub") is None


def test_drm_is_refused_but_obfuscated_fonts_are_not(tmp_path):
    locked = make_epub(
        tmp_path / "locked.epub",
        {
            "META-INF/encryption.xml": encryption(
                "http://www.w3.org/2001/04/xmlenc#aes128-cbc", "OEBPS/one.xhtml"
            )
        },
        chapter="\x8f\x02 encrypted bytes",
    )
    with pytest.raises(DocumentError, match="locked.epub is protected by DRM"):
        read_file(locked, "locked.epub")
    fonts = make_epub(
        tmp_path / "fonts.epub",
        {
            "META-INF/encryption.xml": encryption(
                "http://www.idpf.org/2008/embedding", "OEBPS/fonts/serif.otf"
            )
        },
    )
    book = read_file(fonts, "fonts.epub")
    assert book.units == ["Chapter 1\nDredging\nThe dredger removed 41,700 cubic metres of silt."]
    assert book.title == "Harbour Log"


def test_broken_books_are_refused_in_words(tmp_path):
    (tmp_path / "fake.epub").write_bytes(b"not a zip")
    with pytest.raises(DocumentError, match="fake.epub is not an e-book"):
        read_file(tmp_path / "fake.epub", "fake.epub")
    with zipfile.ZipFile(tmp_path / "bare.epub", "w") as z:
        z.writestr("mimetype", "application/epub+zip")
    with pytest.raises(
        DocumentError, match="bare.epub is not a complete e-book: META-INF/container.xml is missing"
    ):
        read_file(tmp_path / "bare.epub", "bare.epub")
    empty = make_epub(tmp_path / "blank.epub", chapter="<html><body><img src='x.png'/></body></html>")
    with pytest.raises(DocumentError, match="blank.epub has no text in its chapters"):
        read_file(empty, "blank.epub")
