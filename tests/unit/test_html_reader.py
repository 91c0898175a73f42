"""The web-page reader on real saved pages (tests/data/html/SOURCES.md): the article is kept, the
page's menus, logins and footers are not, tables are " | " rows, headings start sections, tiny
pages go to the BeautifulSoup fallback, and no URL in a page is fetched."""

from __future__ import annotations

import socket

import pytest

from documents.text_formats import decode_html, read_html, read_html_soup, read_html_trafilatura
from tests.conftest import ROOT

HTML = ROOT / "tests" / "data" / "html"

PAGES = {
    "herald-sun-1.html": (
        [
            "A HIGH-powered federal government team has been doing the rounds of media organisations",
            "Memories of the grief Conroy brought down on his head would undoubtedly make Abbott sit up",
        ],
        ["Login using your Newspass account", "Cookie Policy", "Subscribe now to access Herald Sun.",
         "Forgot your password?", "Most Popular Stories"],
    ),
    "daringfireball-1.html": (
        ["Daring Fireball is written and produced by John Gruber.",
         "If Daring Fireball looks goofy in your browser"],
        ["Ads via The Deck", "Display Preferences", "RSS Feed"],
    ),
}  # fmt: skip


def read(name: str):
    return read_html((HTML / name).read_bytes(), name)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_real_page_keeps_the_article_not_the_clutter(name):
    kept, clutter = PAGES[name]
    text = "\n".join(read(name).units)
    old = "\n".join(read_html_soup(decode_html((HTML / name).read_bytes(), name)).units)
    for sentence in kept:
        assert sentence in text
    for words in clutter:
        assert words in old  # the clutter is on the page: the fallback reader keeps it
        assert words not in text


def test_page_title_is_the_documents_title():
    assert (
        read("herald-sun-1.html").title == "Angry media won’t buckle over new surveillance laws | Herald Sun"
    )


def test_table_rows_are_cells_joined_by_bars():
    lines = "\n".join(read("keep-tabular-data.html").units).split("\n")
    header = ["", "General UX", "UX draft", "UX review", "UI mockup", "UI review", "Implementation draft"]
    assert " | ".join([*header, "Implementation review", "Final review"]) in lines
    assert "Load map |  |  |  |  |  |  |  | " in lines
    assert "Blueprint library kovarex |  |  |  |  |  |  |  | " in lines


def test_headings_start_sections():
    units = read("v8-blog.html").units
    firsts = [unit.split("\n", 1)[0] for unit in units]
    assert firsts[1:4] == [
        "Using standalone mode in Emscripten #",
        "Write your own JavaScript loader #",
        "Running in Wasm runtimes #",
    ]
    assert units[0].startswith("Emscripten has always focused first and foremost on compiling to the Web")
    loader = units[2]
    assert "For example, we can do this in Node.js:" in loader and "Just 4 lines!" in loader


def test_code_block_keeps_its_lines():
    loader = read("v8-blog.html").units[2]
    assert "// load-add.js\nconst binary = require('fs').readFileSync('add.wasm');\n" in loader
    assert "\n  console.log(instance.exports.add(40, 2));\n" in loader


def test_tiny_page_falls_back_to_the_soup_reader():
    page = "<html><head><title>Note</title></head><body><nav>Home | About</nav><main><h1>Note</h1>"
    page += "<p>Back on Monday.</p></main></body></html>"
    assert read_html_trafilatura(page) is None
    sections = read_html(page.encode(), "note.html")
    assert sections == read_html_soup(page)
    assert sections.units == ["Note\nBack on Monday."] and sections.title == "Note"


def test_no_url_in_a_page_is_fetched(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a page's URL was fetched")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for name in (*PAGES, "keep-tabular-data.html", "v8-blog.html"):
        assert read(name).units
