"""E-books (.epub, EPUB 2 and 3) as one unit per chapter, cited "chapter N": the book's reading
order (the OPF package's spine), each XHTML document's whole text a line per block (BeautifulSoup,
as the web-page reader's fallback), headed by its title from the table of contents when it has one.

Read with ``zipfile`` and lxml rather than ebooklib: ebooklib is AGPL-3.0, loads every item of
the book (pictures, fonts) into memory to read the text, and needs the same HTML reading after it;
the spine is three small XML files. Neither web-page reader is used: a chapter is all text, and
trafilatura's article guess drops short chapters and epigraphs, while the fallback reader keeps
only text in paragraph-like elements (Alice's "Fury said to a mouse" poem is set in <span>s).

A book with DRM (META-INF/encryption.xml naming a chapter, with any algorithm but the IDPF/Adobe
font obfuscation that only hides fonts) is refused with a message saying so. Chapters are read
one at a time, each under ``MAX_CHAPTER_BYTES``; the whole book under ``MAX_BOOK_BYTES``.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from pathlib import Path
from urllib.parse import unquote

from documents.text_formats import Sections, decode_html
from errors import DocumentError

MAX_CHAPTER_BYTES = 20 * 2**20
MAX_BOOK_BYTES = 300 * 2**20  # uncompressed text of all chapters
_FONT_OBFUSCATION = ("http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC")
_BLOCKS = ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "blockquote", "pre", "dt", "dd",
           "figcaption", "caption", "section", "aside", "table", "br", "hr"]  # fmt: skip
_HTML_TYPES = ("application/xhtml+xml", "text/html", "application/x-dtbook+xml")


def read_epub(path: Path, name: str) -> Sections:
    """An e-book's chapters in reading order."""
    try:
        book = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError) as e:
        raise DocumentError(f"{name} is not an e-book (.epub), or it is damaged.") from e
    try:
        with book:
            return _read_book(book, name)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError) as e:
        raise DocumentError(f"{name} is damaged: a part of it cannot be unpacked ({e}).") from e


def _read_book(book: zipfile.ZipFile, name: str) -> Sections:
    opf_path = _package_path(book, name)
    opf = _xml(book, opf_path, name)
    manifest, spine = _manifest_and_spine(opf, posixpath.dirname(opf_path))
    _refuse_drm(book, name, {manifest[i][0] for i in spine if i in manifest})
    titles = _toc_titles(book, opf, manifest, name)
    contents_pages = {manifest[i.get("id")][0] for i in opf.iterfind(".//{*}manifest/{*}item")
                      if "nav" in (i.get("properties") or "").split()}  # fmt: skip
    units: list[str] = []
    total = 0
    for idref in spine:
        href, media = manifest.get(idref, ("", ""))
        if not href or media not in _HTML_TYPES or href in contents_pages:
            continue
        total += _size(book, href, name)
        if total > MAX_BOOK_BYTES:
            raise DocumentError(f"{name} holds over {MAX_BOOK_BYTES / 2**20:.0f} MB of text; it is not read.")
        with book.open(href) as stream:  # never past the limit, whatever the header claims
            data = stream.read(MAX_CHAPTER_BYTES + 1)
        if len(data) > MAX_CHAPTER_BYTES:
            raise DocumentError(
                f"{name}: the chapter {href} is over {MAX_CHAPTER_BYTES / 2**20:.0f} MB; it is not read."
            )
        text = chapter_text(decode_html(data, name))
        if not text:
            continue  # a cover picture, a blank page
        title = titles.get(href, "")
        heading = f"Chapter {len(units) + 1}: {title}" if title else f"Chapter {len(units) + 1}"
        units.append(f"{heading}\n{text}")
    if not units:
        raise DocumentError(f"{name} has no text in its chapters.")
    return Sections(units, "chapter", _book_title(opf))


def chapter_text(html: str) -> str:
    """All of a chapter's text, a line per block (paragraph, heading, list item, line break): a
    poem set in <span>s, or text straight in a <div>, is kept, which the web-page readers skip."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(["script", "style", "head", "nav"]):
        tag.decompose()
    for block in soup.find_all(_BLOCKS):
        block.insert_after("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after(" | ")
    root = soup.body or soup
    lines = (" ".join(line.split()).strip(" |") for line in root.get_text("").split("\n"))
    return "\n".join(line for line in lines if line)


def _xml(book: zipfile.ZipFile, member: str, name: str):
    from lxml import etree

    try:
        data = book.read(member)
    except KeyError as e:
        raise DocumentError(f"{name} is not a complete e-book: {member} is missing.") from e
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True)
    root = etree.fromstring(data, parser)
    if root is None:
        raise DocumentError(f"{name} is damaged: {member} cannot be read.")
    return root


def _package_path(book: zipfile.ZipFile, name: str) -> str:
    container = _xml(book, "META-INF/container.xml", name)
    for element in container.iter("{*}rootfile"):
        if element.get("full-path"):
            return element.get("full-path")
    raise DocumentError(f"{name} is damaged: its container names no package file.")


def _manifest_and_spine(opf, folder: str) -> tuple[dict[str, tuple[str, str]], list[str]]:
    manifest = {}
    for item in opf.iterfind(".//{*}manifest/{*}item"):
        href = posixpath.normpath(posixpath.join(folder, unquote(item.get("href", "").split("#")[0])))
        manifest[item.get("id", "")] = (href, item.get("media-type", ""))
    spine = [ref.get("idref", "") for ref in opf.iterfind(".//{*}spine/{*}itemref")]
    return manifest, spine


def _refuse_drm(book: zipfile.ZipFile, name: str, chapters: set[str]) -> None:
    """DocumentError when META-INF/encryption.xml encrypts a chapter (fonts alone are no DRM)."""
    if "META-INF/encryption.xml" not in book.namelist():
        return
    encryption = _xml(book, "META-INF/encryption.xml", name)
    for data in encryption.iter("{*}EncryptedData"):
        method = data.find("{*}EncryptionMethod")
        algorithm = method.get("Algorithm", "") if method is not None else ""
        ref = data.find(".//{*}CipherReference")
        uri = posixpath.normpath(unquote(ref.get("URI", ""))) if ref is not None else ""
        if algorithm not in _FONT_OBFUSCATION and (uri in chapters or not uri):
            raise DocumentError(
                f"{name} is protected by DRM (its chapters are encrypted), so its text cannot be read. "
                "Add a copy without DRM, such as one the publisher sells DRM-free."
            )
    # only fonts are obfuscated: the text is readable


def _toc_titles(book: zipfile.ZipFile, opf, manifest: dict, name: str) -> dict[str, str]:
    """Chapter file -> its title in the table of contents (EPUB 3 nav, else EPUB 2 NCX)."""
    nav = next((manifest[i.get("id")][0] for i in opf.iterfind(".//{*}manifest/{*}item")
                if "nav" in (i.get("properties") or "").split()), "")  # fmt: skip
    toc_id = (opf.find(".//{*}spine") if opf.find(".//{*}spine") is not None else opf).get("toc", "")
    ncx = manifest.get(toc_id, ("", ""))[0]
    titles: dict[str, str] = {}
    for toc, links in ((nav, ".//{*}nav//{*}a"), (ncx, ".//{*}navPoint")):
        if not toc or toc not in book.namelist():
            continue
        folder = posixpath.dirname(toc)
        for link in _xml(book, toc, name).iterfind(links):
            if link.tag.endswith("navPoint"):
                label = (
                    " ".join("".join(link.find("{*}navLabel").itertext()).split())
                    if link.find("{*}navLabel") is not None
                    else ""
                )
                content = link.find("{*}content")
                href = content.get("src", "") if content is not None else ""
            else:
                label, href = " ".join("".join(link.itertext()).split()), link.get("href", "")
            target = posixpath.normpath(posixpath.join(folder, unquote(href.split("#")[0])))
            if label and href:
                titles.setdefault(target, label)
        if titles:
            break
    return titles


def _size(book: zipfile.ZipFile, member: str, name: str) -> int:
    try:
        size = book.getinfo(member).file_size
    except KeyError as e:
        raise DocumentError(f"{name} is not a complete e-book: {member} is missing.") from e
    if size > MAX_CHAPTER_BYTES:
        raise DocumentError(
            f"{name}: the chapter {member} is over {MAX_CHAPTER_BYTES / 2**20:.0f} MB; it is not read."
        )
    return size


def _book_title(opf) -> str:
    title = opf.find(".//{*}metadata/{*}title")
    return " ".join("".join(title.itertext()).split()) if title is not None else ""
