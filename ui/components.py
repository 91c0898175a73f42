"""Small rendering helpers shared by the sidebar and the chat. Text is always rendered as
Markdown or plain text, never as raw HTML."""

from __future__ import annotations

from typing import Any

import streamlit as st


def render_sources(sources: list[dict[str, Any]]) -> None:
    """The passages an answer was built on, each in an expander."""
    if not sources:
        return
    st.caption("Sources")
    for src in sources:
        pages = _pages(src)
        with st.expander(f"[{src['number']}] {src['file']}, {pages} (score {src['score']:.2f})"):
            st.text(src["text"])


def render_cut_off(meta: dict[str, Any]) -> None:
    if meta.get("cut_off"):
        reason = meta.get("cut_off_reason", "stopped")
        text = "Stopped by you." if reason == "stopped" else f"Answer cut off: {reason}"
        st.caption(f":material/warning: {text}")


def render_stats_panel(message_count: int, stats: dict[str, Any] | None) -> None:
    """Messages in this chat and the timings of the last answer."""
    st.metric("Messages", message_count)
    if not stats:
        st.caption("No answer yet in this chat.")
        return
    first = stats.get("first_token_s")
    cols = st.columns(3)
    cols[0].metric("First token", f"{first:.1f} s" if first is not None else "-")
    cols[1].metric("Total", f"{stats.get('total_s', 0):.1f} s")
    cols[2].metric("Tokens/s", f"{stats.get('tokens_per_s', 0):.1f}")
    st.caption(f"{stats.get('backend', '?')} · {stats.get('model', '?')}")
    render_breakdown(stats.get("breakdown") or {})


def render_breakdown(breakdown: dict[str, float]) -> None:
    """Per-stage times of one answer (decode, stt, retrieval, first token, first sentence, tts ...)."""
    if breakdown:
        st.caption(
            " · ".join(f"{k.removesuffix('_s').replace('_', ' ')} {v:.2f} s" for k, v in breakdown.items())
        )


def _pages(src: dict[str, Any]) -> str:
    start, end = src["page_start"], src["page_end"]
    return f"p. {start}" if start == end else f"pp. {start}-{end}"
