"""Pictures of cited PDF pages: the original kept at ingest (storage/originals.py), the page drawn
with PDFium and its cited line marked (documents/page_images.py), served through the library
(core/library.py). Real PDFs and PDFium; FakeEmbedder instead of MiniLM."""

from __future__ import annotations

import io

from PIL import Image

from config.settings import Settings
from core.assistant import LocalAIAssistant
from core.ingest import Upload
from documents.page_images import page_picture
from retrieval.knowledge_base import KnowledgeBase
from storage.conversations import ConversationStore
from tests.fakes import FakeEmbedder
from tests.pdf_maker import text_pdf

LINES = ["Statement of Operations", "Net sales 117,154 123,945", "Cost of sales 66,822 69,702"]


def yellow_rows(png: bytes) -> set[int]:
    """The pixel rows holding the highlight's yellow."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = image.size
    pixels = image.load()
    return {y for y in range(height) for x in range(0, width, 3) if pixels[x, y][2] < 150 < pixels[x, y][1]}


def test_the_page_is_drawn_with_its_cited_line_marked_and_kept(tmp_path):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(text_pdf(LINES))
    png = page_picture(pdf, 1, ["Net sales 117,154 123,945"], tmp_path / "pictures")
    assert png is not None and png.startswith(b"\x89PNG")
    rows = yellow_rows(png)
    plain = page_picture(pdf, 1, [], tmp_path / "pictures")
    assert rows and not yellow_rows(plain)
    # the marked rows are the second line's, not the third's (about 14 points apart)
    assert max(rows) - min(rows) < 40
    assert len(list((tmp_path / "pictures").glob("doc-1-*.png"))) == 2  # drawn once, then read
    assert page_picture(pdf, 1, ["Net sales 117,154 123,945"], tmp_path / "pictures") == png


def test_no_picture_of_a_page_that_is_not_there_or_a_damaged_file(tmp_path):
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(text_pdf(LINES))
    assert page_picture(pdf, 2, [], tmp_path / "p") is None
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    assert page_picture(broken, 1, [], tmp_path / "p") is None


def test_a_pdf_added_is_kept_and_its_cited_page_shown_and_removed_with_it(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    kb = KnowledgeBase(tmp_path / "kb", FakeEmbedder(), chunk_tokens=200, overlap_tokens=20)
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {}, kb)
    results = list(assistant.library.ingest([Upload("sales.pdf", data=text_pdf(LINES))]))
    assert results[-1].ok
    (doc,) = assistant.library.documents()
    assert (tmp_path / "kb" / "originals" / f"{doc.id}.pdf").is_file()
    source = {
        "doc_id": doc.id,
        "page_start": 1,
        "unit": "page",
        "answer_lines": ["Net sales 117,154 123,945"],
    }
    png = assistant.library.page_picture(source)
    assert png is not None and yellow_rows(png)
    # a computed figure's operand row is marked too: the marks now cover two lines, not one
    both = assistant.library.page_picture(
        {**source, "operand_lines": ["Cost of sales (66,822 + 69,702) / 2"]}
    )
    assert max(yellow_rows(both)) - min(yellow_rows(both)) > max(yellow_rows(png)) - min(yellow_rows(png)) + 8
    assert assistant.library.page_picture({**source, "unit": "section"}) is None  # a Word file's section
    assert assistant.library.page_picture({**source, "doc_id": "../../etc/passwd"}) is None
    assistant.library.delete_document(doc.id)
    assert not (tmp_path / "kb" / "originals" / f"{doc.id}.pdf").exists()
    assert not list((tmp_path / "kb" / "page-pictures").glob(f"{doc.id}-*.png"))
