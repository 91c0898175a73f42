"""Child process of ``pdf_processor`` for every kind but PDF (documents/file_readers.py picks the
reader): the same JSON lines as ``pdf_worker`` (one per section, paragraph, slide, cell,
chapter ...), so the same time limit and memory cap apply to a hostile file (a zip bomb, a 50 MB
web page, an e-mail with a damaged attachment).

    {"title": "..."} {"page": 1, "of": 7, "text": "..."} ... {"done": true, "extractor": "docx",
    "unit": "section"}  or  {"error": "<message for the user>", "kind": "message"}

The file's original name (whose extension says its format) comes in DOC_NAME.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from documents.file_readers import read_file
from errors import DocumentError


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main(path: str, max_units: int) -> int:
    name = os.environ.get("DOC_NAME") or Path(path).name
    try:
        sections = read_file(Path(path), name)
    except DocumentError as e:
        _emit({"error": str(e), "kind": "message"})
        return 0
    if len(sections.units) > max_units:
        _emit({"error": f"{name} has {len(sections.units):,} sections; the limit is {max_units:,}.",
               "kind": "message"})  # fmt: skip
        return 0
    _emit({"title": sections.title})
    for number, text in enumerate(sections.units, start=1):
        _emit({"page": number, "of": len(sections.units), "text": text})
    _emit({"done": True, "extractor": Path(name).suffix.lower().lstrip("."), "unit": sections.unit})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2])))
