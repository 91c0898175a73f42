"""Scanned pages read by the real Tesseract (Debian's tesseract-ocr, installed by scripts/setup.sh)
on real scans from OCRmyPDF's and pikepdf's test suites (tests/data/scans/SOURCES.md)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from config.settings import Settings
from core.assistant import LocalAIAssistant
from core.events import IngestProgress, IngestResult
from core.ingest import Upload
from documents import ocr
from documents.pdf_processor import OcrOptions, extract_pdf
from errors import DocumentError
from tests.conftest import ROOT, SHARED

SCANS = ROOT / "tests" / "data" / "scans"
LINN = SCANS / "linn.pdf"  # a scanned two-column brochure page, no text layer
FORM = SHARED / "data" / "badpdfs" / "ccitt-endofline-true.pdf"  # a fax-encoded German form

pytestmark = pytest.mark.skipif(not ocr.available(), reason="run scripts/setup.sh: it installs tesseract-ocr")


def test_a_scan_without_text_is_read_by_ocr_with_progress():
    heard: list[tuple[int, int]] = []
    pdf = extract_pdf(LINN, ocr=OcrOptions(), on_ocr=lambda d, t: heard.append((d, t)))
    assert pdf.ocr_pages == [1] and heard == [(1, 1)]
    assert "32 Track MIDI Sequence Recorder" in pdf.pages[0]
    form = extract_pdf(FORM, ocr=OcrOptions())
    assert "Artikel" in form.pages[0] and form.ocr_pages == [1]


def test_a_font_without_a_unicode_map_is_read_by_ocr():
    garbage = extract_pdf(SCANS / "truetype_font_nomapping.pdf")  # no OCR: what the text layer holds
    assert "Phone" not in garbage.pages[0]
    pdf = extract_pdf(SCANS / "truetype_font_nomapping.pdf", ocr=OcrOptions())
    assert pdf.ocr_pages == [1] and "Phone" in pdf.pages[0]


def test_pages_with_a_text_layer_are_not_ocrd():
    pdf = extract_pdf(SHARED / "data" / "rag-dev" / "pdfs" / "2023 Q3 INTC.pdf", ocr=OcrOptions())
    assert pdf.ocr_pages == [] and "INTEL CORPORATION" in pdf.pages[0]


def test_an_image_over_the_pixel_limit_is_refused_with_a_clear_message():
    with pytest.raises(DocumentError) as e:  # 35000 x 35000 pixels in an 11 KB file
        extract_pdf(SCANS / "hugemono.pdf", ocr=OcrOptions())
    assert "an image on it is 35,000 × 35,000 pixels; the limit for OCR is 50 megapixels" in str(e.value)


def test_ocr_time_limit_per_page_gives_a_clear_message():
    with pytest.raises(DocumentError, match="OCR took longer than 0 s"):
        extract_pdf(LINN, ocr=OcrOptions(page_timeout_s=0.01))


def test_ingest_reports_ocr_progress_and_marks_passages_read_by_ocr(tmp_path):
    assistant = LocalAIAssistant(Settings(data_dir=tmp_path))
    events = list(assistant.library.ingest([Upload(LINN.name, path=LINN)]))
    assert any(isinstance(e, IngestProgress) and e.stage == "ocr" for e in events)
    result = next(e for e in events if isinstance(e, IngestResult))
    assert result.ok and "Read by OCR: 1." in result.message
    hits = assistant.library.search("How many tracks does the LinnSequencer record?", 3)
    assert hits and hits[0].file == LINN.name and hits[0].ocr


def test_cli_search_finds_a_fact_that_exists_only_in_the_ocr_text(tmp_path):
    def cli(*args):
        return subprocess.run(
            [sys.executable, "cli.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
        )

    added = cli("ingest", "--kb", str(tmp_path), str(LINN), str(SCANS / "c02-22.pdf"))
    assert added.returncode == 0, added.stderr
    found = cli("search", "--kb", str(tmp_path), "--json", "Who was setting in the kitchen door?")
    hits = json.loads(found.stdout.strip().splitlines()[-1])
    assert hits and hits[0]["file"] == "c02-22.pdf" and hits[0]["ocr"] is True
    assert "kitchen door" in hits[0]["text"]
