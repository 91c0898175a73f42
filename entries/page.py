"""Streamlit entry: page config, styles, the orchestrator and the session; then sidebar and chat."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
FAVICON = Path(__file__).resolve().parents[1] / "static" / "favicon.png"

import streamlit as st  # noqa: E402

from config.settings import Settings  # noqa: E402
from core.assistant import LocalAIAssistant  # noqa: E402
from core.session_manager import SessionManager  # noqa: E402
from ui.chat_interface import render_chat  # noqa: E402
from ui.page_guard import guard_page, render_exposure_warning, render_storage_problem  # noqa: E402
from ui.sidebar import render_sidebar  # noqa: E402
from ui.styles import apply_styles  # noqa: E402


@st.cache_resource(show_spinner=False)
def get_assistant() -> LocalAIAssistant:
    """One orchestrator per server process: models load once and are shared by all sessions, and
    start loading in the background at once (warm start)."""
    assistant = LocalAIAssistant(Settings.from_env())
    assistant.answers.warm_up_in_background()
    assistant.folders.watch_in_background()
    return assistant


def main() -> None:
    # A local file: a ":material/...:" page icon makes the browser fetch it from fonts.gstatic.com.
    st.set_page_config(page_title="Local Assistant", page_icon=str(FAVICON), layout="wide")
    session = SessionManager()
    guard_page(session)
    apply_styles()
    assistant = get_assistant()
    render_exposure_warning(assistant.settings)
    render_storage_problem(assistant.storage_problem)
    after_chat = render_sidebar(assistant, session)
    render_chat(assistant, session)
    after_chat()
