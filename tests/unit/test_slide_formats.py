"""PowerPoint decks read one unit per slide (python-pptx's own test decks)."""

from __future__ import annotations

import pytest

from documents.table_formats import read_file
from errors import DocumentError
from tests.conftest import ROOT
from utils.citations import location

PPTX = ROOT / "tests" / "data" / "pptx"


def test_real_decks_slide_text_tables_and_notes():
    tables = read_file(PPTX / "tbl-cell.pptx", "tbl-cell.pptx")
    assert tables.unit == "slide"
    assert tables.units[2] == "Slide 3\na | b | c\nd | e | f\ng | h | i"
    notes = read_file(PPTX / "sld-notes.pptx", "sld-notes.pptx")
    assert notes.units == ["Slide 1\nNotes: Notes", "Slide 2"]
    text = read_file(PPTX / "txt-text.pptx", "txt-text.pptx")
    assert "Foo Bar \n Baz Zoo \n1" in text.units[0] and "yahoo.com" in text.units[0]
    assert text.units[1].startswith("Slide 2\nText run in table cell")
    assert location("slide", 4, 4) == "slide 4" and location("slide", 2, 3) == "slides 2-3"


def test_a_titled_slide_and_a_fake_deck(tmp_path):
    from pptx import Presentation

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Budget"
    slide.placeholders[1].text = "Mirrors cost $48,250"
    slide.notes_slide.notes_text_frame.text = "Mention the supplier delay"
    deck.save(tmp_path / "deck.pptx")
    assert read_file(tmp_path / "deck.pptx", "deck.pptx").units == [
        "Slide 1: Budget\nMirrors cost $48,250\nNotes: Mention the supplier delay"
    ]
    (tmp_path / "fake.pptx").write_bytes(b"not a deck")
    with pytest.raises(DocumentError, match="not a PowerPoint"):
        read_file(tmp_path / "fake.pptx", "fake.pptx")
