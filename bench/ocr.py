"""OCR accuracy and speed (services/ocr.py, Tesseract 5) on real scans and on real filing pages
rendered to images.

    python bench/ocr.py [--pages 4]

- linn.pdf (a real scan, tests/data/scans): character error rate against OCRmyPDF's reference
  text linn.txt, itself an earlier OCR transcript, so a disagreement is not always our error;
- real scans with no reference text: seconds per page only;
- pages of the rag-dev filings rendered at 300 dpi in grayscale (a clean "scan" of a real page):
  character error rate against the page's own text layer.

CER = character edit distance / reference length, after collapsing whitespace (jiwer).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.rag_bench import cpu_flags  # noqa: E402
from services import ocr  # noqa: E402
from services.pdf_processor import OcrOptions, extract_pdf  # noqa: E402

SCANS = ROOT / "tests" / "data" / "scans"
SHARED = ROOT.parent / "shared" / "data"


def normalise(text: str) -> str:
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.cer(normalise(reference), normalise(hypothesis))


def rendered_pages(pdf: Path, pages: int) -> list[tuple[str, bytes]]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    out = []
    for i in range(min(pages, len(doc))):
        page = doc[i]
        text = page.get_textpage().get_text_bounded()
        buffer = io.BytesIO()
        page.render(scale=ocr.DPI / 72, grayscale=True).to_pil().save(buffer, format="PNG")
        out.append((text, buffer.getvalue()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=4, help="pages of each dev filing")
    args = parser.parse_args()
    print(f"CPU flags: {cpu_flags()}")
    print("| document | pages | CER | seconds per page |")
    print("|---|---|---|---|")
    started = time.perf_counter()
    linn = extract_pdf(SCANS / "linn.pdf", ocr=OcrOptions())
    seconds = time.perf_counter() - started
    reference = (SCANS / "linn.txt").read_text(encoding="utf-8")
    print(f"| linn.pdf (real scan, vs OCRmyPDF's reference text) | 1 | {cer(reference, linn.pages[0]):.3f} | "
          f"{seconds:.1f} |")  # fmt: skip
    for path in (SCANS / "c02-22.pdf", SHARED / "badpdfs" / "ccitt-endofline-true.pdf"):
        started = time.perf_counter()
        extract_pdf(path, ocr=OcrOptions())
        print(f"| {path.name} (real scan, no reference) | 1 | - | {time.perf_counter() - started:.1f} |")
    errors, times = [], []
    for pdf in sorted((SHARED / "rag-dev" / "pdfs").glob("*.pdf")):
        for text, png in rendered_pages(pdf, args.pages):
            started = time.perf_counter()
            read = ocr.read_png(png, timeout_s=120)
            times.append(time.perf_counter() - started)
            errors.append(cer(text, read))
    print(
        f"| rag-dev filings rendered at {ocr.DPI} dpi (vs their text layer) | {len(errors)} | "
        f"{statistics.median(errors):.3f} median, {max(errors):.3f} worst | "
        f"{statistics.median(times):.1f} median |"
    )


if __name__ == "__main__":
    main()
