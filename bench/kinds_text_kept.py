"""How much of a file's text the readers of issue 25's new kinds keep, on the real test files in
tests/data: the share of a reference extraction's words (bag of words, lower-cased, tokens of
letters and digits) found in the reader's output ("kept"), and the share of the reader's words
found in the reference ("own": below 100% where the reader adds labels, such as "Cell 3
(code)", a JSON value's path, or "Attachment report.pdf, p. 2").

References, each made by another tool:

- .ipynb: nbconvert's Markdown export; .epub: EbookLib's spine documents through BeautifulSoup.
  Both run in their own virtualenv (nbconvert pulls in Jupyter; EbookLib is AGPL-3.0, kept out
  of the app), given with ``--reference-python``; without it those kinds are skipped;
- .eml: the standard ``email`` package's text body (else its HTML through BeautifulSoup), text
  attachments decoded, PDF attachments by pypdf (the app reads them with PDFium);
- .msg: extract-msg's own sender, recipients, subject and body (the reader's only loss could be
  in putting them together);
- .json: every key and value; .xml: every text node and attribute value (lxml);
- .xlsx / .xls / .csv: every cell's value, by pandas (openpyxl's saved values, xlrd, the csv
  module); .pptx: every text frame, table cell and speaker note by python-pptx (the library the
  reader uses: these rows show what the reader's layout loses, not what the library misses);
- .zip: the same real files read one by one, against the archive holding them all::

    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install nbconvert ebooklib
    python bench/kinds_text_kept.py --reference-python /tmp/refvenv/bin/python
"""

from __future__ import annotations

import argparse
import email
import email.policy
import io
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

from documents.file_readers import read_file  # noqa: E402

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its font warnings on the IBM PDF: not ours

DATA = ROOT / "tests" / "data"
_TOKEN = re.compile(r"[^\W_]+")
_OTHER_TOOLS = """
import json, sys
out = {}
import nbformat
from nbconvert import MarkdownExporter
for path in sys.argv[2].split(","):
    out[path] = MarkdownExporter().from_notebook_node(nbformat.read(path, as_version=4))[0]
import ebooklib
from bs4 import BeautifulSoup
from ebooklib import epub
book = epub.read_epub(sys.argv[1])
items = [book.get_item_with_id(i) for i, _ in book.spine]
out[sys.argv[1]] = "\\n".join(BeautifulSoup(i.get_content(), "html.parser").get_text(" ")
                             for i in items if i is not None and i.get_type() == ebooklib.ITEM_DOCUMENT)
print(json.dumps(out))
"""


def words(text: str) -> Counter:
    return Counter(w.lower() for w in _TOKEN.findall(text))


def ours(path: Path, name: str | None = None) -> str:
    return "\n".join(read_file(path, name or path.name).units)


def eml_reference(path: Path) -> str:
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    parts = [f"{h}: {message[h]}" for h in ("From", "To", "Cc", "Date", "Subject") if message[h]]
    body = message.get_body(("plain",)) or message.get_body(("html",))
    if body is not None:
        text = body.get_content()
        parts.append(
            text
            if body.get_content_type() == "text/plain"
            else BeautifulSoup(text, "html.parser").get_text(" ")
        )
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        filename = (part.get_filename() or "").lower()
        if filename.endswith(".pdf"):
            pdf = PdfReader(io.BytesIO(part.get_payload(decode=True)))
            parts.append("\n".join(page.extract_text() or "" for page in pdf.pages))
        elif part.get_content_type() == "text/plain":
            parts.append(part.get_content())
    return "\n".join(parts)


def msg_reference(path: Path) -> str:
    import extract_msg

    message = extract_msg.openMsg(str(path))
    try:
        return "\n".join(
            str(v) for v in (message.sender, message.to, message.cc, message.subject, message.body) if v
        )
    finally:
        message.close()


def json_reference(value) -> str:
    if isinstance(value, dict):
        return " ".join(f"{k} {json_reference(v)}" for k, v in value.items())
    if isinstance(value, list):
        return " ".join(json_reference(v) for v in value)
    return value if isinstance(value, str) else json.dumps(value)


def xml_reference(path: Path) -> str:
    from lxml import etree

    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    attributes = [v for e in root.iter() if isinstance(e.tag, str) for v in e.attrib.values()]
    return " ".join(root.itertext()) + " " + " ".join(attributes)


def table_reference(path: Path) -> str:
    import warnings

    import pandas as pd

    warnings.filterwarnings("ignore", message=".*xlrd engine is deprecated")

    if path.suffix == ".csv":
        frames = [pd.read_csv(path, header=None, dtype=str, keep_default_na=False)]
    else:
        frames = pd.read_excel(path, sheet_name=None, header=None, dtype=str).values()
    return "\n".join(" ".join(str(v) for v in frame.fillna("").to_numpy().ravel()) for frame in frames)


def pptx_reference(path: Path) -> str:
    from pptx import Presentation

    parts = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


def rows(reference_python: str | None) -> list[tuple[str, str, str, str]]:
    """(kind, file, our text, reference text) for each real test file."""
    found = []
    notebooks = sorted((DATA / "ipynb").glob("*.ipynb"))
    book = DATA / "epub" / "alice.epub"
    if reference_python:
        out = subprocess.run(
            [reference_python, "-c", _OTHER_TOOLS, str(book), ",".join(map(str, notebooks))],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        reference = json.loads(out.stdout)
        found += [("ipynb", p.name, ours(p), reference[str(p)]) for p in notebooks]
        found.append(("epub", book.name, ours(book), reference[str(book)]))
    for path in sorted((DATA / "eml").glob("*.eml")):
        found.append(("eml", path.name, ours(path), eml_reference(path)))
    for path in sorted((DATA / "msg").glob("*.msg")):
        found.append(("msg", path.name, ours(path), msg_reference(path)))
    for path in sorted((DATA / "json").glob("*.json")):
        found.append(("json", path.name, ours(path), json_reference(json.loads(path.read_text()))))
    for path in sorted((DATA / "xml").glob("*.xml")):
        found.append(("xml", path.name, ours(path), xml_reference(path)))
    tables = [*sorted((DATA / "xlsx").glob("*.xls*")), *sorted((DATA / "csv").glob("*.csv"))]
    found += [(p.suffix[1:], p.name, ours(p), table_reference(p)) for p in tables]
    decks = sorted((DATA / "pptx").glob("*.pptx"))
    found += [("pptx", p.name, ours(p), pptx_reference(p)) for p in decks]
    members = [*notebooks, book, *(DATA / "eml").glob("*.eml"), *(DATA / "msg").glob("*.msg")]
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "all.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for path in members:
                z.write(path, f"files/{path.name}")
        alone = "\n".join(ours(p) for p in members)
        found.append(("zip", f"{len(members)} test files in one archive", ours(archive), alone))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference-python", help="a Python with nbconvert and ebooklib installed")
    args = parser.parse_args()
    print("| kind | file | reference words | reader's words | kept | own |")
    print("|---|---|---|---|---|---|")
    for kind, name, text, reference in rows(args.reference_python):
        mine, theirs = words(text), words(reference)
        common = sum((mine & theirs).values())
        kept = common / max(sum(theirs.values()), 1)
        own = common / max(sum(mine.values()), 1)
        counts = f"{sum(theirs.values()):,} | {sum(mine.values()):,}"
        print(f"| {kind} | {name} | {counts} | {kept:.1%} | {own:.1%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
