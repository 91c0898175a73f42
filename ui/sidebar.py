"""The sidebar: model and backend, assistant style, conversations, stats. Rendering only."""

from __future__ import annotations

import streamlit as st

from core import prompts
from core.assistant import LocalAIAssistant
from core.session_manager import SessionManager
from errors import AssistantError
from ui.components import render_stats_panel
from ui.documents import render_documents
from ui.voice_settings import render_voice_settings

BACKEND_LABELS = {
    "auto": "Automatic (Ollama if running)",
    "ollama": "Ollama",
    "embedded": "Built-in (llama.cpp)",
}


def render_sidebar(assistant: LocalAIAssistant, session: SessionManager) -> None:
    with st.sidebar:
        st.title(":material/lock: Local Assistant")
        st.caption("Private: everything runs on this computer.")
        _render_conversations(assistant, session)
        st.divider()
        render_documents(assistant, session)
        st.divider()
        render_voice_settings(assistant, session)
        st.divider()
        _render_model(assistant, session)
        st.divider()
        _render_style(session)
        st.divider()
        _render_stats(assistant, session)


def _render_model(assistant: LocalAIAssistant, session: SessionManager) -> None:
    st.subheader("Model")
    st.radio("Backend", list(BACKEND_LABELS), format_func=BACKEND_LABELS.get, key="backend")
    health = assistant.ollama_health()
    backend = session.get("backend")
    if health.ok:
        st.success(health.detail, icon=":material/check_circle:")
    elif backend == "ollama":
        st.error(f"{health.detail}. Start Ollama or choose another backend.")
    else:
        st.info("Ollama is not running: answers come from the built-in model.")

    if backend != "embedded" and health.ok:
        installed = assistant.ollama_models()
        if installed:
            if session.get("ollama_model") not in installed:
                default = assistant.settings.ollama_model
                session.set("ollama_model", default if default in installed else installed[0])
            st.selectbox("Ollama model", installed, key="ollama_model")
        else:
            st.warning("Ollama has no models yet: pull one below.")
        _render_pull(assistant)
    if backend != "ollama":
        with st.expander("Built-in model file"):
            st.text_input(
                "GGUF path (empty: packaged Qwen2.5 0.5B)",
                key="gguf_path",
                help="Any local .gguf chat model, e.g. one you downloaded yourself.",
            )


def _render_pull(assistant: LocalAIAssistant) -> None:
    with st.form("pull_model", clear_on_submit=False, border=False):
        name = st.text_input("Pull a model", placeholder="e.g. llama3.2:1b")
        submitted = st.form_submit_button("Pull")
    if not submitted:
        return
    bar = st.progress(0.0, text=f"Pulling {name}...")
    try:
        for step in assistant.pull_model(name):
            fraction = step.fraction
            label = f"{step.status} {fraction:.0%}" if fraction is not None else step.status
            bar.progress(min(fraction or 0.0, 1.0), text=label)
    except AssistantError as e:
        bar.empty()
        st.error(str(e))
        return
    bar.progress(1.0, text=f"{name} is ready.")


def _render_style(session: SessionManager) -> None:
    st.subheader("Assistant style")
    options = [*prompts.PRESETS, prompts.CUSTOM]
    st.selectbox("System prompt", options, format_func=str.capitalize, key="preset")
    if session.get("preset") == prompts.CUSTOM:
        st.text_area("Your system prompt", key="custom_prompt", height=100)


def _render_conversations(assistant: LocalAIAssistant, session: SessionManager) -> None:
    st.subheader("Chats")
    if st.button("New chat", icon=":material/add:", use_container_width=True, key="new_chat"):
        session.conversation_id = ""  # created with its first message: no empty chats pile up
    current = session.conversation_id
    for conv in assistant.conversations():
        is_current = conv.id == current
        if st.button(
            conv.title,
            key=f"conv_{conv.id}",
            type="primary" if is_current else "secondary",
            use_container_width=True,
        ):
            session.conversation_id = conv.id
            st.rerun()
    if current and assistant.conversation(current):
        _render_current_actions(assistant, session, current)


def _render_current_actions(assistant: LocalAIAssistant, session: SessionManager, current: str) -> None:
    with st.expander("This chat"):
        title = assistant.conversation(current).title
        new_title = st.text_input("Rename", value=title, key=f"rename_{current}")
        if new_title.strip() and new_title != title:
            assistant.rename_conversation(current, new_title)
            st.rerun()
        st.download_button(
            "Export as Markdown",
            icon=":material/download:",
            data=assistant.export_markdown(current),
            file_name=f"{title[:40].strip() or 'chat'}.md",
            mime="text/markdown",
            use_container_width=True,
        )
        if st.button(
            "Delete this chat", icon=":material/delete:", key="delete_chat", use_container_width=True
        ):
            assistant.delete_conversation(current)
            session.conversation_id = ""
            st.rerun()


def _render_stats(assistant: LocalAIAssistant, session: SessionManager) -> None:
    st.subheader("Stats")
    messages = assistant.messages(session.conversation_id) if session.conversation_id else []
    last = next((m.meta.get("stats") for m in reversed(messages) if m.role == "assistant"), None)
    render_stats_panel(len(messages), last)
