"""Text made inert for Streamlit's Markdown: checked by rendering it with a real CommonMark
renderer that, unlike Streamlit, *does* render raw HTML, so any tag or image that survived
would show up in its output."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from ui.safe_text import escape_markdown, inert_markdown

RENDERER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
ALLOWED_TAGS = {
    "p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "s",
}  # fmt: skip
TAG = re.compile(r"<\s*/?\s*([a-zA-Z][a-zA-Z0-9-]*)")


def rendered_tags(markdown: str) -> set[str]:
    html = RENDERER.render(markdown)
    # code blocks and spans are shown as text: their content is HTML-escaped by the renderer
    return {m.group(1).lower() for m in TAG.finditer(html)}


HOSTILE = [
    "![status](http://127.0.0.1:9/img.png?q=secret)",
    'Look: <img src="http://127.0.0.1:9/x.png"> and <script>alert(1)</script>',
    "![ref]\n\n[ref]: http://127.0.0.1:9/ref.png",
    "<iframe src=http://127.0.0.1:9/></iframe>",
    "<http://127.0.0.1:9/autolink>",
    "\\<img src=http://127.0.0.1:9/a.png>",
    "`code` then ![x](http://127.0.0.1:9/a.png) `more <b>`",
    "- ```\n  code\n  ```\n![y](http://127.0.0.1:9/b.png)",
    "\\`not code <img src=http://127.0.0.1:9/c.png>\\`",
    "<div>\n```\n![x](http://127.0.0.1:9/d.png)\n```\n</div>",
    "> ```\n![z](http://127.0.0.1:9/e.png)",
]


def test_hostile_markdown_renders_no_image_and_no_tag():
    for text in HOSTILE:
        tags = rendered_tags(inert_markdown(text))
        assert tags <= ALLOWED_TAGS, (text, tags - ALLOWED_TAGS)
        assert "img" not in tags


def test_without_the_guard_the_same_text_would_load_images():
    """The check above can fail: the raw text renders images and tags."""
    assert "img" in rendered_tags(HOSTILE[0])
    assert "script" in rendered_tags(HOSTILE[1])


def test_formatting_and_code_are_kept():
    answer = (
        "**Revenue** was $7,192 million [1].\n\n"
        "| Year | Revenue |\n|---|---|\n| 2023 | 7,192 |\n\n"
        "```cpp\nstd::vector<int> v; if (![&]{ return true; }()) {}\n```\n"
        "Use `a < b` and [the docs](https://example.org)."
    )
    html = RENDERER.render(inert_markdown(answer))
    assert "<strong>Revenue</strong>" in html
    assert "<table>" in html
    assert "std::vector&lt;int&gt; v; if (![&amp;]" in html  # the code block is untouched
    assert "<code>a &lt; b</code>" in html
    assert '<a href="https://example.org">the docs</a>' in html


def test_escaped_text_shows_the_characters_typed():
    html = RENDERER.render(inert_markdown("a < b, ![x](u) and <b>"))
    assert "a &lt; b, ![x](u) and &lt;b&gt;" in html


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "!",
                "[",
                "]",
                "(",
                ")",
                "<",
                ">",
                "`",
                "```",
                "\n",
                " ",
                "    ",
                "\\",
                "x",
                "img",
                "http://h/p.png",
                "> ",
                "- ",
                "~~~",
                "<img src=",
                "![a](",
                "[r]: ",
                "\n\n",
            ]
        ),  # fmt: skip
        max_size=40,
    ).map("".join)
)
def test_no_generated_text_renders_an_image_or_tag(text):
    tags = rendered_tags(inert_markdown(text))
    assert tags <= ALLOWED_TAGS, (text, tags - ALLOWED_TAGS)


def test_escape_markdown_shows_a_file_name_literally():
    name = "![x](http://h/a.png) *report* [1].pdf"
    html = RENDERER.render(escape_markdown(name))
    assert "img" not in rendered_tags(escape_markdown(name))
    assert "![x](http://h/a.png) *report* [1].pdf" in html


def test_dollar_amounts_are_shown_as_amounts_not_math():
    """Streamlit reads ``$...$`` as inline LaTeX: two amounts in one line became a formula."""
    answer = "Revenue was $7,192 million [1], against $ 8,288 $ 8,866 a year earlier; costs \\$5."
    shown = inert_markdown(answer)
    assert re.search(r"(?<!\\)\$", shown.replace("\\\\", "")) is None  # every $ is escaped
    assert RENDERER.render(shown).strip() == f"<p>{answer.replace(chr(92), '')}</p>"
    assert inert_markdown("$$E = mc^2$$") == "$$E = mc^2$$"  # display math is left alone
    assert inert_markdown("`echo $HOME`") == "`echo $HOME`"  # code is shown as typed


def test_line_breaks_in_a_reply_stay_visible():
    html = RENDERER.render(inert_markdown('[1] "Revenue $ 7,192"\n[2] "Revenue $ 2,036"\n\nSo it grew.'))
    quoted = "<p>[1] &quot;Revenue $ 7,192&quot;<br />\n[2] &quot;Revenue $ 2,036&quot;</p>"
    assert html == quoted + "\n<p>So it grew.</p>\n"
    block = "```\nline one\nline two\n```"
    assert inert_markdown(block) == block  # code is left as it is
    assert "<br" not in RENDERER.render(inert_markdown("- a\n- b"))  # lists need no breaks
