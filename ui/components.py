"""Small rendering helpers shared by the sidebar and the chat. Text is always rendered as
Markdown or plain text, never as raw HTML."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.answers.prompts import NO_PASSAGE
from core.answers.shown_sources import shown_sources
from ui.safe_text import escape_markdown, inert_markdown
from utils.citations import location
from utils.words import counted

PagePicture = Callable[[dict[str, Any]], "bytes | None"]


def render_sources(sources: list[dict[str, Any]], picture: PagePicture | None = None, key: str = "") -> None:
    """The passages an answer was built on, each page once in an expander (with every [n] citing
    it), with its relevance (0-1); for a PDF page, a switch shows a picture of the page with the
    likely answer lines marked (drawn only when asked: a chat of many answers is not sent every
    page on every rerun)."""
    if not sources:
        return
    st.caption("Sources")
    for src in shown_sources(sources):
        pages = _pages(src)
        cited = " ".join(f"[{n}]" for n in src["numbers"])
        title = f"{cited} {escape_markdown(src['file'])}, {pages} · relevance {src['score']:.2f}"
        if src.get("ocr"):
            title += " · read by OCR"
        with st.expander(title):
            if src.get("label"):
                st.text(src["label"])
            if src.get("ocr"):
                st.caption("This text was read from a scanned page by OCR and may hold misread characters.")
            if picture and src.get("doc_id") and src.get("unit", "page") == "page":
                _render_page_picture(src, picture, f"page-{key}-{src['number']}")
            st.text(src["text"])


def _render_page_picture(src: dict[str, Any], picture: PagePicture, key: str) -> None:
    shown = st.toggle(f"Show page {src['page_start']}", key=key, help="The page as printed, lines marked")
    if not shown:
        return
    png = picture(src)
    if png is None:
        st.caption("No picture of this page: the PDF was added before pages were kept, or cannot be drawn.")
    else:
        st.image(png, caption=f"{src['file']}, page {src['page_start']}", width="stretch")


def render_check(check: dict[str, Any] | None) -> None:
    """What the figure check found: figures in the answer that no source holds."""
    if not check:
        return
    missing = check.get("unsupported_figures") or []
    if missing:
        shown = ", ".join(escape_markdown(f) for f in missing[:8])
        st.caption(
            f":material/warning: Not found in the sources: {shown}. "
            "The model may have computed or invented these; check them before relying on them."
        )


def render_computed(computed: list[dict[str, Any]] | None) -> None:
    """A figure computed in code: its formula with each operand as printed, its period and its
    source [n], so a wrong operand is seen at a glance (for an average over years, each year's);
    or why it could not be computed."""
    for c in computed or []:
        if c.get("refused"):
            st.caption(f":material/calculate: Not computed: {escape_markdown(c['refused'])}.")
            continue
        name = escape_markdown(c["name"])
        shown = escape_markdown(c["shown"])
        st.caption(f":material/calculate: Computed from your documents: **{name} = {shown}**")
        for part in c.get("parts") or [c]:
            lead = (
                "" if part is c else f"{escape_markdown(part['name'])} = {escape_markdown(part['shown'])}: "
            )
            st.caption(f"{lead}{escape_markdown(part['formula'])}, with {_operand_terms(part['operands'])}")


def _operand_terms(operands: list[dict[str, Any]]) -> str:
    terms = []
    for o in operands:
        where = f"{escape_markdown(o['period'])}, [{o['source']}]" if o["period"] else f"[{o['source']}]"
        terms.append(f"{escape_markdown(o['label'])} ({where}) = {escape_markdown(o['value'])}")
    return "; ".join(terms)


def render_no_passage(meta: dict[str, Any]) -> None:
    """Say so when documents were searched and none matched: the answer is not from them."""
    note = meta.get("no_passage")
    if note:
        st.caption(f":material/info: {inert_markdown(note if isinstance(note, str) else NO_PASSAGE)}")


def render_cut_off(meta: dict[str, Any]) -> None:
    if meta.get("cut_off"):
        reason = meta.get("cut_off_reason", "stopped")
        text = "Stopped by you." if reason == "stopped" else f"Answer cut off: {reason}"
        st.caption(f":material/warning: {inert_markdown(text)}")


def render_stats_panel(message_count: int, answers: int, stats: dict[str, Any] | None) -> None:
    """Messages in this chat and the timings of its last answer (one line each: never cut off)."""
    st.caption(f"{counted(message_count, 'message')} in this chat")
    if not stats:
        st.caption(
            "No answer yet in this chat." if not answers else "No timings were stored with its answers."
        )
        return
    first = stats.get("first_token_s")
    first_text = f"{first:.1f} s" if first is not None else "-"
    st.markdown(
        f"First token **{first_text}** · total **{stats.get('total_s', 0):.1f} s** · "
        f"**{stats.get('tokens_per_s', 0):.1f}** tokens/s"
    )
    st.caption(f"{escape_markdown(stats.get('backend', '?'))} · {escape_markdown(stats.get('model', '?'))}")
    render_breakdown(stats.get("breakdown") or {})


def render_breakdown(breakdown: dict[str, float]) -> None:
    """Per-stage times of one answer (decode, stt, retrieval, first token, first sentence, tts ...)."""
    if breakdown:
        st.caption(
            " · ".join(f"{k.removesuffix('_s').replace('_', ' ')} {v:.2f} s" for k, v in breakdown.items())
        )


def _pages(src: dict[str, Any]) -> str:
    return location(src.get("unit", "page"), src["page_start"], src["page_end"], src.get("text", ""))
