"""Web-page main text: the old BeautifulSoup reader against the trafilatura reader, on real saved
pages whose main content others marked by hand. Word-level precision, recall and F1 (bag of
words, lower-cased, tokens of letters and digits), the mean over pages, and pages per second.

The pages: Mozilla Readability's test pages (Apache-2.0), each a folder with ``source.html`` (the
saved page) and ``expected.html`` (the maintainers' main content)::

    git clone --depth 1 https://github.com/mozilla/readability /tmp/readability
    python bench/html_extract.py /tmp/readability/test/test-pages [--min-bytes 10000]

``--min-bytes`` skips pages smaller than that: the synthetic feature tests there (a few hundred
bytes to a few KB each) are not saved pages. ``--min-bytes 0`` scores every page.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import cpu_flags  # noqa: E402

_TOKEN = re.compile(r"[^\W_]+")
FOCUSES = ("precision", "balanced", "recall")


def words(text: str) -> Counter[str]:
    """The bag of lower-cased words (runs of letters and digits) of a text."""
    return Counter(_TOKEN.findall(text.lower()))


def scores(found: Counter[str], truth: Counter[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the words found against the true words."""
    common = sum((found & truth).values())
    precision = common / sum(found.values()) if found else 0.0
    recall = common / sum(truth.values()) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def readers() -> dict[str, Callable[[bytes, str], str]]:
    """Each reader compared, as a function from a page's bytes to its text."""
    from documents.text_formats import (
        HTML_FOCUS,
        decode_html,
        read_html,
        read_html_soup,
        read_html_trafilatura,
    )

    def text(sections) -> str:
        return "\n".join(sections.units)

    def trafilatura_with(focus: str) -> Callable[[bytes, str], str]:
        def read(data: bytes, name: str) -> str:
            html = decode_html(data, name)
            return text(read_html_trafilatura(html, focus) or read_html_soup(html))

        return read

    others = {
        f"trafilatura {focus}, fallback": trafilatura_with(focus) for focus in FOCUSES if focus != HTML_FOCUS
    }
    return {
        "old: BeautifulSoup": lambda data, name: text(read_html_soup(decode_html(data, name))),
        f"new: read_html (trafilatura {HTML_FOCUS}, fallback)": lambda data, name: text(
            read_html(data, name)
        ),
        **others,
    }


def expected_text(path: Path) -> str:
    """The text of a page's hand-marked main content."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ")


def fallbacks(pages: list[tuple[bytes, Counter[str]]]) -> int:
    """How many pages the trafilatura reader leaves to the fallback reader."""
    from documents.text_formats import decode_html, read_html_trafilatura

    return sum(read_html_trafilatura(decode_html(data, "page.html")) is None for data, _ in pages)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("pages", type=Path, help="a folder of <page>/source.html + expected.html")
    parser.add_argument("--min-bytes", type=int, default=10_000)
    args = parser.parse_args()
    folders = sorted(
        p.parent for p in args.pages.glob("*/expected.html") if (p.parent / "source.html").exists()
    )
    folders = [f for f in folders if (f / "source.html").stat().st_size >= args.min_bytes]
    pages = [((f / "source.html").read_bytes(), words(expected_text(f / "expected.html"))) for f in folders]
    print(f"CPU flags: {cpu_flags()}; {len(pages)} pages of {args.pages}, source.html >= {args.min_bytes} B")
    print("| reader | precision | recall | F1 | pages/s |")
    print("|---|---|---|---|---|")
    for label, read in readers().items():
        read(pages[0][0], "page.html")  # imports and first-call set-up, untimed
        started = time.perf_counter()
        found = [words(read(data, "page.html")) for data, _ in pages]
        rate = len(pages) / (time.perf_counter() - started)
        per_page = [scores(f, truth) for f, (_, truth) in zip(found, pages, strict=True)]
        mean = [sum(s[i] for s in per_page) / len(per_page) for i in range(3)]
        print(f"| {label} | {mean[0]:.3f} | {mean[1]:.3f} | {mean[2]:.3f} | {rate:.1f} |")
    print(f"Pages left to the fallback reader by read_html: {fallbacks(pages)}")


if __name__ == "__main__":
    main()
