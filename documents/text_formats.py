"""Word, web-page, Markdown and plain-text files as the units their citations point to.

- .docx (python-docx): sections under each heading, tables included row by row (cells joined
  by " | "), in document order;
- .html / .htm (BeautifulSoup): the main text only, without scripts, styles, navigation, headers,
  footers, forms or asides (the <main> or <article> element when there is one), in sections
  under each heading;
- .md / .markdown: sections under each ``#`` heading;
- .txt: paragraphs (blocks separated by blank lines), cited by number.

Text files may come in any encoding: a byte-order mark decides, else UTF-8, else the encoding
charset-normalizer finds (Windows-1252 when several fit equally, as browsers do). A file that is
really binary is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from errors import DocumentError

_HEADING_MD = re.compile(r"^\s{0,3}#{1,6}\s+\S")
_BLANK_LINES = re.compile(r"\n\s*\n")
_SKIPPED_HTML = ["script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
                 "iframe", "svg", "button", "select"]  # fmt: skip
_HTML_BLOCKS = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "pre", "blockquote", "tr", "dt", "dd",
                "figcaption", "caption"]  # fmt: skip


@dataclass
class Sections:
    """A document's citable units, in order, and its title (may be empty)."""

    units: list[str]
    unit: str  # "section" or "paragraph"
    title: str = ""


def decode_text(data: bytes, name: str) -> str:
    """The text of a file in any common encoding; DocumentError for binary data."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{name} is not a text file (it holds binary data).")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise DocumentError(f"{name} is not a text file (no text encoding fits it).")
    least_chaos = min(m.chaos for m in matches)
    tied = [m for m in matches if m.chaos == least_chaos]
    # Short Western text fits several code pages equally well: prefer Windows-1252, as browsers do.
    best = next((m for m in tied if m.encoding == "cp1252"), tied[0])
    text = str(best)
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * max(len(text), 1):
        raise DocumentError(f"{name} is not a text file (it holds binary data).")
    return text


def read_txt(data: bytes, name: str) -> Sections:
    text = decode_text(data, name).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip() for p in _BLANK_LINES.split(text) if p.strip()]
    return Sections(paragraphs, "paragraph")


def read_markdown(data: bytes, name: str) -> Sections:
    text = decode_text(data, name).replace("\r\n", "\n")
    sections: list[list[str]] = [[]]
    in_code = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if not in_code and _HEADING_MD.match(line) and any(s.strip() for s in sections[-1]):
            sections.append([])
        sections[-1].append(line)
    units = ["\n".join(s).strip() for s in sections if "\n".join(s).strip()]
    title = next((u.split("\n", 1)[0].lstrip("# ").strip() for u in units if _HEADING_MD.match(u)), "")
    return Sections(units, "section", title)


def read_html(data: bytes, name: str) -> Sections:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode_html(data, name), "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_SKIPPED_HTML):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    sections: list[list[str]] = [[]]
    for block in root.find_all(_HTML_BLOCKS):
        if block.find_parent(_HTML_BLOCKS) is not None:
            continue  # its text is part of an enclosing block
        if block.name == "tr":
            text = " | ".join(c.get_text(" ", strip=True) for c in block.find_all(["td", "th"]))
        else:
            text = block.get_text(" ", strip=True)
        if not text:
            continue
        if block.name in ("h1", "h2", "h3", "h4", "h5", "h6") and sections[-1]:
            sections.append([])
        sections[-1].append(text)
    units = ["\n".join(s) for s in sections if s]
    if not units:  # no block elements: the page's plain text
        text = root.get_text("\n", strip=True)
        units = [text] if text else []
    return Sections(units, "section", title)


def decode_html(data: bytes, name: str) -> str:
    """HTML text: a declared <meta charset> wins over guessing."""
    head = data[:2048].decode("ascii", errors="ignore").lower()
    declared = re.search(r"charset=[\"']?([a-z0-9_\-]+)", head)
    if declared and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        try:
            return data.decode(declared.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(data, name)


def read_docx(path: Path, name: str) -> Sections:
    import zipfile

    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as e:  # pragma: no cover - a broken install
        raise DocumentError(f"{name}: Word files need python-docx ({e}).") from e
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise DocumentError(f"{name} is not a Word (.docx) document, or it is damaged.") from e
    sections: list[list[str]] = [[]]
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table
            for row in block.rows:
                cells = _unique_cells(row)
                if any(cells):
                    sections[-1].append(" | ".join(cells))
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if (style.startswith("Heading") or style == "Title") and sections[-1]:
            sections.append([])
        sections[-1].append(text)
    units = ["\n".join(s) for s in sections if s]
    title = (document.core_properties.title or "").strip()
    return Sections(units, "section", title)


def _unique_cells(row) -> list[str]:
    """A table row's cell texts; a merged cell spans several grid cells but is read once."""
    seen: list[int] = []
    cells: list[str] = []
    for cell in row.cells:
        if id(cell._tc) in seen:
            continue
        seen.append(id(cell._tc))
        cells.append(cell.text.strip())
    return cells


READERS = {
    ".txt": ("txt", read_txt),
    ".text": ("txt", read_txt),
    ".md": ("markdown", read_markdown),
    ".markdown": ("markdown", read_markdown),
    ".html": ("html", read_html),
    ".htm": ("html", read_html),
}


def read_file(path: Path, name: str) -> Sections:
    """The sections of a .docx, .html, .md or .txt file (chosen by ``name``'s extension)."""
    suffix = Path(name).suffix.lower()
    if suffix == ".docx":
        return read_docx(path, name)
    if suffix not in READERS:
        raise DocumentError(f"{name}: this kind of file is not supported.")
    return READERS[suffix][1](path.read_bytes(), name)
