"""OCR accuracy and speed (documents/ocr.py, Tesseract 5) on real scans and on real filing pages
rendered to images; with ``--engine rapidocr``, RapidOCR on the same images, for comparison.

    python bench/ocr.py [--pages 4]
    # RapidOCR is not a dependency of the app: measure it from a separate environment
    python -m venv /tmp/rapidenv && /tmp/rapidenv/bin/pip install rapidocr-onnxruntime pypdfium2 jiwer
    /tmp/rapidenv/bin/python bench/ocr.py --engine rapidocr

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

from bench.common import cpu_flags  # noqa: E402
from documents import ocr  # noqa: E402

SCANS = ROOT / "tests" / "data" / "scans"
SHARED = ROOT.parent / "shared" / "data"


def normalise(text: str) -> str:
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> float:
    import jiwer

    return jiwer.cer(normalise(reference), normalise(hypothesis))


def scan_png(pdf: Path) -> bytes:
    """The first page of a scan, rendered as the app renders it for OCR."""
    return rendered_pages(pdf, 1)[0][1]


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


def rapidocr_reader():
    from rapidocr_onnxruntime import RapidOCR

    engine = RapidOCR()

    def read(png: bytes) -> str:
        result, _ = engine(png)
        return "\n".join(line[1] for line in result or [])

    return read


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=4, help="pages of each dev filing")
    parser.add_argument("--engine", choices=["tesseract", "rapidocr"], default="tesseract")
    args = parser.parse_args()
    read = rapidocr_reader() if args.engine == "rapidocr" else (lambda png: ocr.read_png(png, 120))
    print(f"CPU flags: {cpu_flags()}; engine: {args.engine}")
    print("| document | pages | CER | seconds per page |")
    print("|---|---|---|---|")
    reference = (SCANS / "linn.txt").read_text(encoding="utf-8")
    for path, truth in (
        (SCANS / "linn.pdf", reference),
        (SCANS / "c02-22.pdf", None),
        (SHARED / "badpdfs" / "ccitt-endofline-true.pdf", None),
    ):
        png = scan_png(path)
        started = time.perf_counter()
        text = read(png)
        seconds = time.perf_counter() - started
        what = "vs OCRmyPDF's reference text" if truth else "no reference"
        error = f"{cer(truth, text):.3f}" if truth else "-"
        print(f"| {path.name} (real scan, {what}) | 1 | {error} | {seconds:.1f} |")
    errors, times = [], []
    for pdf in sorted((SHARED / "rag-dev" / "pdfs").glob("*.pdf")):
        for text, png in rendered_pages(pdf, args.pages):
            started = time.perf_counter()
            found = read(png)
            times.append(time.perf_counter() - started)
            errors.append(cer(text, found))
    print(
        f"| rag-dev filings rendered at {ocr.DPI} dpi (vs their text layer) | {len(errors)} | "
        f"{statistics.median(errors):.3f} median, {max(errors):.3f} worst | "
        f"{statistics.median(times):.1f} median |"
    )


if __name__ == "__main__":
    main()
