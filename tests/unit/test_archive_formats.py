"""Zip archives read member by member in memory: readable members as units under their paths,
the others listed with the reason, and zip bombs and escaping paths refused."""

from __future__ import annotations

import io
import zipfile

import pytest

from documents.archive_formats import MAX_MEMBERS, MAX_RATIO
from documents.document_reader import refusal
from documents.file_readers import read_file
from errors import DocumentError
from tests.conftest import ROOT
from tests.unit.test_text_formats import make_docx

EPUB = ROOT / "tests" / "data" / "epub" / "alice.epub"
PPTX = ROOT / "tests" / "data" / "pptx" / "sld-notes.pptx"


def make_zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in members.items():
            z.writestr(member, data)
    return path


def test_members_of_every_kind_read_under_their_paths(tmp_path):
    docx = make_docx(tmp_path / "review.docx").read_bytes()
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("deep/notes.md", "# Pier\nThe pier closes on Sundays.")
    archive = make_zip(tmp_path / "bundle.zip", {
        "minutes/review.docx": docx,
        "sales.csv": b"Region,Sales\nNorth,1200\n",
        "deck.pptx": PPTX.read_bytes(),
        "books/alice.epub": EPUB.read_bytes(),
        "inner.zip": inner.getvalue(),
        "photo.jpg": b"\xff\xd8\xff not read",
        "__MACOSX/._sales.csv": b"resource fork",
    })  # fmt: skip
    bundle = read_file(archive, "bundle.zip")
    assert bundle.unit == "section" and refusal("bundle.zip") is None
    contents = bundle.units[0].split("\n")
    assert contents[0] == "Archive bundle.zip: 5 of 6 files read"
    assert "- not read: photo.jpg (not a kind of file the app reads)" in contents
    assert not any("__MACOSX" in u for u in bundle.units)  # a Mac's resource forks: no document
    assert "minutes/review.docx, section 2:\nBudget\nItem | Cost\nTelescope mirrors | $48,250" in bundle.units
    assert "sales.csv:\nRow 2: Region: North; Sales: 1200" in bundle.units
    assert "deck.pptx, slide 1:\nSlide 1\nNotes: Notes" in bundle.units
    assert any(
        u.startswith("books/alice.epub, chapter 2:\nChapter 2: Down The Rabbit-Hole") for u in bundle.units
    )
    assert "inner.zip, section 2:\ndeep/notes.md:\n# Pier\nThe pier closes on Sundays." in bundle.units


def test_paths_that_escape_and_locked_members_are_not_read(tmp_path):
    archive = make_zip(tmp_path / "escape.zip", {
        "../../etc/cron.d/evil.txt": b"climbs out",
        "/etc/passwd.txt": b"absolute",
        "C:/Windows/win.txt": b"drive letter",
        "fine/readme.txt": b"The harbour opens at six.",
    })  # fmt: skip
    units = read_file(archive, "escape.zip").units
    assert "- not read: ../../etc/cron.d/evil.txt (its path climbs out of the archive with ..)" in units[0]
    assert "- not read: /etc/passwd.txt (its path is absolute)" in units[0]
    assert "- not read: C:/Windows/win.txt (its path is absolute)" in units[0]
    assert units[1:] == ["fine/readme.txt:\nThe harbour opens at six."]
    locked = make_zip(tmp_path / "locked.zip", {"secret.txt": b"hidden"})
    data = bytearray(locked.read_bytes())  # set the "encrypted" flag of the member, as zip -e does
    for header in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(header)
        flag_at = at + (6 if header == b"PK\x03\x04" else 8)
        data[flag_at] |= 0x1
    locked.write_bytes(bytes(data))
    with pytest.raises(
        DocumentError, match=r"locked.zip holds no file the app can read: secret.txt \(it is protected"
    ):
        read_file(locked, "locked.zip")


def test_zip_bombs_are_stopped(tmp_path):
    bomb = make_zip(tmp_path / "bomb.zip", {"zeros.txt": b"0" * (20 * 2**20)})
    assert bomb.stat().st_size * MAX_RATIO < 20 * 2**20  # it inflates over MAX_RATIO times
    with pytest.raises(DocumentError, match="bomb.zip looks like a zip bomb: zeros.txt inflates more than"):
        read_file(bomb, "bomb.zip")
    many = make_zip(tmp_path / "many.zip", {f"f{i}.txt": b"x" for i in range(MAX_MEMBERS + 1)})
    with pytest.raises(DocumentError, match=f"many.zip holds {MAX_MEMBERS + 1:,} files; the limit is"):
        read_file(many, "many.zip")
    russian_doll = tmp_path / "doll.zip"
    layer = b"The innermost note."
    name = "note.txt"
    for level in range(4):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr(name, layer)
        layer, name = buffer.getvalue(), f"layer{level}.zip"
    russian_doll.write_bytes(layer)
    with pytest.raises(
        DocumentError, match=r"layer0.zip \(is not read: it is inside 2 other e-mails or archives"
    ):
        read_file(russian_doll, "doll.zip")
    (tmp_path / "fake.zip").write_bytes(b"not a zip")
    with pytest.raises(DocumentError, match="fake.zip is not a zip archive"):
        read_file(tmp_path / "fake.zip", "fake.zip")
