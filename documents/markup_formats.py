"""JSON and XML files as readable text: one line per value, each line naming where the value sits
("orders[2] > customer > name: Ada Lovelace"), so a passage cut from the middle of a long file
still says what each value is (as a table's rows keep their headers, documents/table_formats.py).

- .json (the standard ``json`` module; nothing else is needed to read it): units are the
  top-level entries, an object's keys or an array's items (long arrays in blocks of
  ``ITEMS_PER_UNIT``), cited "section N";
- .xml (lxml, already used for web pages): with entity expansion, DTD loading and network access
  off, so an external entity reads nothing and an entity's text is never put in (libxml2 also
  refuses a "billion laughs" file, said in words);
  units are the root element's children, cited "section N"; an element's attributes follow its
  name on its own line ("channel > item (id=7)"); an element holding both text and elements
  (a paragraph with a bold word) is written whole on one line.

Both stop at ``MAX_DEPTH`` levels of nesting (deeper values are written compactly on their
ancestor's line) and after ``MAX_LINES`` lines (a line says the rest is not read); the file size
is held under the text size limit (documents/document_reader.py) before it is read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from documents.text_formats import Sections, decode_text
from errors import DocumentError

MAX_DEPTH = 24  # levels of nesting written out as paths
MAX_LINES = 400_000  # lines written for one file
ITEMS_PER_UNIT = 20  # items of a long top-level array in one unit
_CUT = f"(the rest of this file is not read: the limit is {MAX_LINES:,} lines)"


def read_json(data: bytes, name: str) -> Sections:
    """A JSON file's values as "path: value" lines, one unit per top-level entry."""
    try:
        value = json.loads(decode_text(data, name))
    except RecursionError as e:
        raise DocumentError(f"{name} is nested too deeply to read.") from e
    except json.JSONDecodeError as e:
        raise DocumentError(f"{name} is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg}).") from e
    if isinstance(value, dict):
        entries = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        entries = [(f"[{i}]", v) for i, v in enumerate(value)]
    else:
        entries = [("", value)]
    budget = [MAX_LINES]
    units: list[str] = []
    step = ITEMS_PER_UNIT if isinstance(value, list) else 1
    for start in range(0, len(entries), step):
        lines = [
            line for path, v in entries[start : start + step] for line in _json_lines(path, v, 1, budget)
        ]
        if lines:
            units.append("\n".join(lines))
        if budget[0] <= 0:
            units.append(_CUT)
            break
    if not units:
        raise DocumentError(f"{name} holds no values.")
    return Sections(units, "section")


def _json_lines(path: str, value, depth: int, budget: list[int]) -> Iterator[str]:
    if budget[0] <= 0:
        return
    if isinstance(value, (dict, list)) and value and depth < MAX_DEPTH:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, inner in items:
            inner_path = (
                f"{path}[{key}]" if isinstance(value, list) else (f"{path} > {key}" if path else str(key))
            )
            yield from _json_lines(inner_path, inner, depth + 1, budget)
        return
    budget[0] -= 1
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False)
    yield f"{path}: {text}" if path else text


def read_xml(data: bytes, name: str) -> Sections:
    """An XML file's text as "path: text" lines, one unit per child of the root element."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True,
        remove_pis=True,
    )  # fmt: skip
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        if "amplification" in str(e.msg):
            raise DocumentError(
                f"{name} holds entities that expand without end (an XML bomb); it is not read."
            ) from e
        raise DocumentError(f"{name} is not well-formed XML ({e.msg}).") from e
    if root is None:
        raise DocumentError(f"{name} holds no XML elements.")
    budget = [MAX_LINES]
    own = _direct_text(root)
    units = [f"{_label(root)}: {own}" if own else _label(root)] if own or root.attrib else []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        lines = list(_xml_lines(child, _tag(root), 2, budget))
        if lines:
            units.append("\n".join(lines))
        if budget[0] <= 0:
            units.append(_CUT)
            break
    if not units:
        raise DocumentError(f"{name} has no text.")
    return Sections(units, "section", "")


def _xml_lines(element, path: str, depth: int, budget: list[int]) -> Iterator[str]:
    if budget[0] <= 0:
        return
    here = f"{path} > {_label(element)}"  # attributes on its own line; its children name only its tag
    if depth >= MAX_DEPTH:  # deeper elements: their text on this line
        text = " ".join(" ".join(element.itertext()).split())
        if text:
            budget[0] -= 1
            yield f"{here}: {text}"
        return
    own = _direct_text(element)
    children = [c for c in element if isinstance(c.tag, str)]
    if own and children:  # mixed content ("<p>The <b>pier</b> closes</p>"): its whole text, in order
        budget[0] -= 1
        yield f"{here}: {' '.join(''.join(element.itertext()).split())}"
        return
    if own or (not children and element.attrib):
        budget[0] -= 1
        yield f"{here}: {own}" if own else here
    for child in children:
        yield from _xml_lines(child, f"{path} > {_tag(element)}", depth + 1, budget)


def _tag(element) -> str:
    """The element's local name, without its namespace."""
    from lxml import etree

    return etree.QName(element).localname


def _label(element) -> str:
    """The element's local name with its attributes: "item (id=7)"."""
    from lxml import etree

    tag = _tag(element)
    attrs = [f"{etree.QName(k).localname}={' '.join(v.split())}" for k, v in element.attrib.items()]
    return f"{tag} ({', '.join(attrs)})" if attrs else tag


def _direct_text(element) -> str:
    """The element's own text and its children's tails: what it says outside its children."""
    parts = [element.text or ""] + [c.tail or "" for c in element]
    return " ".join(" ".join(parts).split())
