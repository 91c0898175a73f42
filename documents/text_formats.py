"""Word, web-page, Markdown and plain-text files as the units their citations point to.

- .docx (python-docx): sections under each heading, tables included row by row (cells joined
  by " | "), in document order;
- .html / .htm (trafilatura): the article only, in sections under each heading, tables row by
  row (cells joined by " | "). On Mozilla Readability's 94 real test pages with hand-marked main
  text (bench/html_extract.py) it scores word F1 0.945 (precision 0.96) against 0.854 (precision
  0.83) for the BeautifulSoup reader, which stays as the fallback when trafilatura finds too
  little (tiny pages): the <main> or <article> element (else <body>) without scripts, styles,
  navigation, headers, footers, forms or asides. No URL in a page is ever fetched;
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
HTML_FOCUS = "recall"  # trafilatura's focus: the best F1 of the three in bench/html_extract.py
_MIN_EXTRACTED_CHARS = 250  # trafilatura's own MIN_EXTRACTED_SIZE: below it its result is a guess


@dataclass
class Sections:
    """A document's citable units, in order, and its title (may be empty)."""

    units: list[str]
    unit: str  # "section", "paragraph", "row block", "sheet", "slide", "cell", "chapter" or "page"
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
    """A web page's main text: trafilatura's extraction, else (nothing found) the fallback reader."""
    html = decode_html(data, name)
    return read_html_trafilatura(html) or read_html_soup(html)


def read_html_trafilatura(html: str, focus: str = HTML_FOCUS) -> Sections | None:
    """The article trafilatura finds in a page (``focus``: precision, balanced or recall), in
    sections under each heading; None when it finds too little to trust."""
    import trafilatura
    from lxml import etree

    tree = trafilatura.load_html(html)
    if tree is None:
        return None
    title = " ".join((tree.findtext(".//title") or "").split())
    _pre_line_breaks(tree)
    xml = trafilatura.extract(
        tree,
        output_format="xml",
        include_tables=True,
        include_formatting=False,
        include_comments=False,
        include_images=False,
        include_links=False,
        favor_precision=focus == "precision",
        favor_recall=focus == "recall",
    )
    if not xml:
        return None
    main = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True)).find("main")
    if main is None or len(" ".join(main.itertext()).strip()) < _MIN_EXTRACTED_CHARS:
        return None
    units = _xml_sections(main)
    return Sections(units, "section", title) if units else None


def _pre_line_breaks(tree) -> None:
    """<br> in preformatted text as newlines: trafilatura keeps only a code block's first line."""
    for br in tree.xpath("//pre//br"):
        br.tail = "\n" + (br.tail or "")
        br.drop_tree()


def _xml_sections(main) -> list[str]:
    """trafilatura's XML body as sections: a new one at each heading (``head``)."""
    sections: list[list[str]] = [[]]
    for element in main:
        if element.tag == "head" and sections[-1]:
            sections.append([])
        sections[-1].extend(_xml_lines(element))
    return ["\n".join(s) for s in sections if s]


def _xml_lines(element) -> list[str]:
    """The lines of one block: a table's rows (cells joined by " | "), a list's items, else its text."""
    if element.tag == "table":
        rows = [" | ".join(_xml_text(cell) for cell in row.findall("cell")) for row in element.findall("row")]
        return [row for row in rows if row.strip(" |")]
    if element.tag == "list":
        items = [_xml_text(item) for item in element.findall("item")]
        return [item for item in items if item]
    if element.tag == "code":  # its lines and indentation as they are
        text = "".join(element.itertext()).strip("\n").rstrip()
    else:
        text = _xml_text(element)
    return [text] if text else []


def _xml_text(element) -> str:
    """An element's text, spaces collapsed; its line breaks (``lb``) kept."""
    for lb in element.iter("lb"):
        lb.text = "\n"
    lines = ("".join(element.itertext())).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def read_html_soup(html: str) -> Sections:
    """The fallback reader: the <main> or <article> element (else <body>) without navigation,
    headers, footers, forms or asides, in sections under each heading."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
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
