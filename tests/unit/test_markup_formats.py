"""JSON and XML files read as "path: value" lines (a real JSON schema and a real EPUB package
file), with the hostile ones refused or read without expanding anything."""

from __future__ import annotations

import json

import pytest

from documents.document_reader import refusal
from documents.file_readers import read_file
from documents.markup_formats import MAX_DEPTH
from errors import DocumentError
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"


def test_real_json_schema_values_keep_their_paths():
    schema = read_file(DATA / "json" / "nbformat.v4.5.schema.json", "nbformat.v4.5.schema.json")
    assert schema.unit == "section"
    assert schema.units[0] == "$schema: http://json-schema.org/draft-04/schema#"
    definitions = next(u for u in schema.units if u.startswith("definitions > "))
    assert "definitions > cell_id > maxLength: 64" in definitions
    assert "definitions > cell > oneOf[1] > $ref: #/definitions/markdown_cell" in definitions
    assert refusal("data.json") is None and refusal("feed.xml") is None


def test_real_xml_elements_text_and_attributes():
    package = read_file(DATA / "xml" / "alice-package.xml", "alice-package.xml")
    root, metadata, manifest, spine = package.units
    assert root == "package (version=3.0, lang=en, unique-identifier=pub-id)"  # the root's attributes
    assert "package > metadata > title: Alice's Adventures in Wonderland" in metadata.split("\n")
    assert "package > metadata > creator: Lewis Carroll" in metadata.split("\n")
    assert "package > manifest > item (id=style, href=css/stylesheet.css, media-type=text/css)" in manifest
    assert spine.startswith("package > spine > itemref (idref=cover, linear=no)")


def test_long_arrays_in_blocks_and_deep_nesting_cut(tmp_path):
    rows = [{"city": f"town {i}", "people": i * 10} for i in range(45)]
    (tmp_path / "towns.json").write_text(json.dumps(rows))
    towns = read_file(tmp_path / "towns.json", "towns.json")
    assert len(towns.units) == 3  # 20 + 20 + 5 items
    assert towns.units[2].split("\n")[:2] == ["[40] > city: town 40", "[40] > people: 400"]
    deep: dict = {"leaf": "bottom"}
    for _ in range(MAX_DEPTH + 5):
        deep = {"k": deep}
    (tmp_path / "deep.json").write_text(json.dumps({"top": deep}))
    line = read_file(tmp_path / "deep.json", "deep.json").units[0]
    assert line.count(" > ") == MAX_DEPTH - 1  # MAX_DEPTH keys in its path, the 6 deeper levels as JSON
    assert line.endswith(': {"k": {"k": {"k": {"k": {"k": {"k": {"leaf": "bottom"}}}}}}}')
    (tmp_path / "abyss.json").write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(DocumentError, match="abyss.json is nested too deeply to read"):
        read_file(tmp_path / "abyss.json", "abyss.json")
    (tmp_path / "bad.json").write_text('{"a": 1,}')
    with pytest.raises(DocumentError, match=r"bad.json is not valid JSON \(line 1, column 9"):
        read_file(tmp_path / "bad.json", "bad.json")


def test_xml_entities_are_never_expanded_nor_fetched(tmp_path):
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    laughs = f"<!DOCTYPE lolz [{''.join(entities)}]><lolz><a>&lol9;</a><b>kept</b></lolz>"
    (tmp_path / "laughs.xml").write_text(laughs)
    with pytest.raises(DocumentError, match="laughs.xml holds entities that expand without end"):
        read_file(tmp_path / "laughs.xml", "laughs.xml")
    one_laugh = '<!DOCTYPE r [<!ENTITY lol "lol">]><r><a>&lol;</a><b>kept</b></r>'
    (tmp_path / "one.xml").write_text(one_laugh)  # not expanded: no entity text is ever read
    assert read_file(tmp_path / "one.xml", "one.xml").units == ["r > b: kept"]
    secret = tmp_path / "secret.txt"
    secret.write_text("the password is swordfish")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r><a>&x;</a><b>ok</b></r>'
    )
    (tmp_path / "xxe.xml").write_text(xxe)
    assert "swordfish" not in "".join(read_file(tmp_path / "xxe.xml", "xxe.xml").units)
    mixed = "<doc><title>Pier</title><p>The <b>north</b> pier closes on <i>Sundays</i>.</p></doc>"
    (tmp_path / "mixed.xml").write_text(mixed)
    assert read_file(tmp_path / "mixed.xml", "mixed.xml").units == [
        "doc > title: Pier",
        "doc > p: The north pier closes on Sundays.",
    ]
    (tmp_path / "broken.xml").write_text("<a><b></a>")
    with pytest.raises(DocumentError, match="broken.xml is not well-formed XML"):
        read_file(tmp_path / "broken.xml", "broken.xml")
