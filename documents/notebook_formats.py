"""Jupyter notebooks (.ipynb) as one unit per cell, cited "cell N": a markdown cell's text, a code
cell's source and its outputs as text (streams, plain-text results, error names and tracebacks
without terminal colours; pictures and widgets are said, not read).

The notebook is JSON (nbformat 4, and the older 3 with worksheets), read with the standard
``json`` module rather than ``nbformat``: nbformat adds schema validation (jsonschema,
fastjsonschema) that refuses notebooks Jupyter itself opens, and reading cells needs only the
three fields every version has. Empty cells are left out, so "cell N" is the Nth cell that holds
something; each unit starts with its number and kind so a passage says where it is.
"""

from __future__ import annotations

import json
import re

from documents.text_formats import Sections, decode_text, read_html_soup
from errors import DocumentError

MAX_OUTPUT_CHARS = 20_000  # of one cell's outputs: a training log can print megabytes
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_REPR = re.compile(r"^<[\w.]+ (object )?at 0x[0-9a-f]+>$")  # an object's default repr says nothing
_TEXT_KINDS = ("text/plain", "text/markdown", "text/latex", "text", "latex")  # v4 and v3 keys


def read_ipynb(data: bytes, name: str) -> Sections:
    """A notebook's cells, in order, as citable units."""
    try:
        notebook = json.loads(decode_text(data, name))
    except (json.JSONDecodeError, RecursionError) as e:
        raise DocumentError(
            f"{name} is not a Jupyter notebook (it is not valid JSON), or it is damaged."
        ) from e
    if not isinstance(notebook, dict):
        raise DocumentError(f"{name} is not a Jupyter notebook (no cells in it).")
    cells = _cells(notebook, name)
    language = _language(notebook)
    units = []
    for cell in cells:
        text = _cell_text(cell, language)
        if text:
            units.append(f"Cell {len(units) + 1} {text}")
    title = str((notebook.get("metadata") or {}).get("title") or "") or _first_heading(units)
    return Sections(units, "cell", title.strip())


def _cells(notebook: dict, name: str) -> list[dict]:
    if isinstance(notebook.get("cells"), list):  # nbformat 4
        return [c for c in notebook["cells"] if isinstance(c, dict)]
    worksheets = notebook.get("worksheets")
    if isinstance(worksheets, list):  # nbformat 3
        return [
            c for w in worksheets if isinstance(w, dict) for c in w.get("cells") or [] if isinstance(c, dict)
        ]
    raise DocumentError(f"{name} is not a Jupyter notebook (no cells in it).")


def _language(notebook: dict) -> str:
    metadata = notebook.get("metadata") or {}
    info = metadata.get("language_info") or metadata.get("kernelspec") or {}
    return str(info.get("name") or info.get("language") or "") if isinstance(info, dict) else ""


def _joined(value) -> str:
    """nbformat stores multi-line text as a list of lines, or as one string."""
    if isinstance(value, list):
        return "".join(str(v) for v in value)
    return str(value) if value is not None else ""


def _cell_text(cell: dict, language: str) -> str:
    """ "(code, python):\\n<source>\\nOutput:\\n<outputs>", or "(markdown):\\n<text>"; "" if empty."""
    kind = str(cell.get("cell_type") or "")
    source = _joined(cell.get("source", cell.get("input"))).strip()
    if kind == "heading":  # nbformat 3 headings
        source, kind = "#" * int(cell.get("level") or 1) + " " + source, "markdown"
    outputs = _outputs_text(cell.get("outputs") or []) if kind == "code" else ""
    if not source and not outputs:
        return ""
    label = f"(code, {language})" if kind == "code" and language else f"({kind or 'cell'})"
    text = f"{label}:\n{source}"
    return f"{text}\nOutput:\n{outputs}" if outputs else text


def _outputs_text(outputs: list) -> str:
    parts: list[str] = []
    for output in outputs:
        if isinstance(output, dict):
            text = _output_text(output).strip()
            if text:
                parts.append(text)
    text = "\n".join(parts)
    if len(text) > MAX_OUTPUT_CHARS:
        text = text[:MAX_OUTPUT_CHARS] + f"\n(output cut: the first {MAX_OUTPUT_CHARS:,} characters are kept)"
    return text


def _output_text(output: dict) -> str:
    kind = output.get("output_type")
    if kind in ("stream", "pyout", "pyerr") and "text" in output:  # nbformat 3 keeps text here
        return _ANSI.sub("", _joined(output["text"]))
    if kind in ("error", "pyerr"):
        trace = _ANSI.sub("", "\n".join(_joined(t) for t in output.get("traceback") or []))
        return trace or f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    data = output.get("data") if isinstance(output.get("data"), dict) else output
    texts = [_ANSI.sub("", _joined(data[mime])) for mime in _TEXT_KINDS if mime in data]
    text = next((t for t in texts if not _REPR.match(t.strip())), "")
    html = data.get("text/html", data.get("html"))
    if not text and html:  # a rich result whose plain text is only "<...HTML at 0x...>"
        text = "\n".join(read_html_soup(_joined(html)).units)
    if not text and any(str(k).startswith("image/") or k in ("png", "jpeg", "svg") for k in data):
        return "(a picture)"
    return text


def _first_heading(units: list[str]) -> str:
    for unit in units:
        if "(markdown):" not in unit.split("\n", 1)[0]:
            continue
        for line in unit.split("\n")[1:]:
            if line.startswith("#"):
                return line.lstrip("# ")
    return ""
