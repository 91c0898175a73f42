"""Which pages need OCR, decided from their own text layer (no Tesseract involved)."""

from __future__ import annotations

import pytest

from documents.ocr import PageTooLarge, check_pixels, needs_ocr

PROSE = "The LinnSequencer is a state-of-the-art composition and performance tool. " * 3


@pytest.mark.parametrize(
    "text, has_images, expected",
    [
        ("", True, True),  # a scan: an image and no text
        ("12", True, True),  # a scan with a page number in its text layer
        (PROSE, True, False),  # real text beside a picture
        ("", False, False),  # a blank page
        ("12", False, False),  # a page number alone
        ('"7+%-', False, True),  # a font without a Unicode map: symbols where letters should be
        ("\ue000\ue001\ue002 \ue003\ue004 " * 10, False, True),  # private-use glyph codes
        ("2023 2022 1,234 5,678 (91) 12.5%", False, False),  # a table of figures is real text
    ],
)
def test_needs_ocr(text, has_images, expected):
    assert needs_ocr(text, has_images) is expected


def test_pixel_limit_message():
    check_pixels(7000, 7000, 50_000_000, "the page")
    with pytest.raises(PageTooLarge, match="35,000 × 35,000 pixels; the limit for OCR is 50 megapixels"):
        check_pixels(35000, 35000, 50_000_000, "an image on it")
