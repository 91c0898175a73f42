"""The sidebar: model and backend, assistant style, conversations, stats. Rendering only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.answers import prompts
from core.assistant import LocalAIAssistant
from core.session_manager import NO_KNOWLEDGE_BASE, SessionManager
from errors import AssistantError
from ui.audio_player import remove_replies
from ui.components import render_stats_panel
from ui.documents import render_documents
from ui.safe_text import escape_markdown, inert_markdown
from ui.voice_settings import render_voice_settings

BACKEND_LABELS = {
    "auto": "Automatic (a server if one answers)",
    "openai": "OpenAI-compatible server",
    "ollama": "Ollama",
    "embedded": "Built-in (llama.cpp)",
}


def render_sidebar(assistant: LocalAIAssistant, session: SessionManager) -> Callable[[], None]:
    """Draw the sidebar; the function returned brings its chat list and stats up to date after
    the chat has run (a spoken turn makes a chat and an answer without a rerun)."""
    with st.sidebar:
        st.title(":material/lock: Local Assistant")
        st.caption("Private: everything runs on this computer.")
        if assistant.answers.warmup is not None and not assistant.answers.warmup.done:
            _render_warmup(assistant)
        new_chat_slot, listed = _render_conversations(assistant, session)
        st.divider()
        render_documents(assistant, session)
        st.divider()
        render_voice_settings(assistant, session)
        st.divider()
        _render_model(assistant, session)
        st.divider()
        _render_style(session)
        st.divider()
        st.subheader("Stats")
        stats_slot = st.empty()
        with stats_slot.container():
            _render_stats(assistant, session)

    def after_chat() -> None:
        current = session.conversation_id
        if current and current not in listed and (conv := assistant.chats.get(current, session.owner)):
            new_chat_slot.button(
                escape_markdown(conv.title), key=f"conv_{conv.id}", type="primary", use_container_width=True
            )
        with stats_slot.container():
            _render_stats(assistant, session)

    return after_chat


def _render_warmup(assistant: LocalAIAssistant) -> None:
    """What is still loading in the background (shown until a later run finds it done). No timer
    refreshes it: a fragment rerunning every second raced with uploads and clicks under load."""
    warmup = assistant.answers.warmup
    st.caption(f":material/hourglass_top: Loading {warmup.loading or 'models'} in the background…")


def _render_model(assistant: LocalAIAssistant, session: SessionManager) -> None:
    st.subheader("Model")
    st.radio("Backend", list(BACKEND_LABELS), format_func=BACKEND_LABELS.get, key="backend")
    backend = session.get("backend")
    if backend in ("auto", "openai"):
        _render_openai(assistant, session, required=backend == "openai")
    if backend in ("auto", "ollama"):
        _render_ollama(assistant, session, required=backend == "ollama")
    if backend in ("auto", "embedded"):
        _render_builtin(assistant, session)


def _render_ollama(assistant: LocalAIAssistant, session: SessionManager, required: bool) -> None:
    health = assistant.engines.ollama_health()
    if health.ok:
        st.success(inert_markdown(health.detail), icon=":material/check_circle:")
    elif required:
        st.error(f"{inert_markdown(health.detail)}. Start Ollama or choose another backend.")
    else:
        st.info("Ollama is not running: answers come from the built-in model.")
    if not health.ok:
        return
    installed = assistant.engines.ollama_models()
    if installed:
        if session.get("ollama_model") not in installed:
            default = assistant.settings.ollama_model
            session.set("ollama_model", default if default in installed else installed[0])
        st.selectbox("Ollama model", installed, key="ollama_model")
    else:
        st.warning("Ollama has no models yet: pull one below.")
    _render_pull(assistant)


def _render_openai(assistant: LocalAIAssistant, session: SessionManager, required: bool) -> None:
    """Any /v1/chat/completions server: llama-server, vLLM, LM Studio, a GPU box."""
    with st.expander("OpenAI-compatible server", expanded=required):
        st.text_input(
            "Base URL",
            key="openai_base_url",
            placeholder=assistant.settings.openai_base_url or "http://127.0.0.1:8080/v1",
            help="For example llama-server, vLLM or LM Studio; usually ends in /v1.",
        )
        st.text_input("API key", key="openai_api_key", type="password", help="Leave empty if it needs none.")
        options = session.ask_options()
        if not (options.openai_base_url or assistant.settings.openai_base_url):
            st.caption("Not set: enter a URL to use a bigger model on this or another computer.")
            return
        health, models = assistant.engines.openai_status(options)
        if not health.ok:
            (st.error if required else st.caption)(inert_markdown(health.detail))
            return
        st.success(inert_markdown(health.detail), icon=":material/check_circle:")
        if models:
            if session.get("openai_model") not in models:
                default = assistant.settings.openai_model
                session.set("openai_model", default if default in models else models[0])
            st.selectbox("Server model", models, key="openai_model")


def _render_builtin(assistant: LocalAIAssistant, session: SessionManager) -> None:
    models = assistant.engines.builtin_models()
    installed = [key for key, _, ok in models if ok]
    if session.get("builtin_model") not in installed and installed:
        session.set("builtin_model", installed[0])
    st.radio(
        "Built-in model",
        installed,
        key="builtin_model",
        format_func=str.capitalize,
        captions=[summary for key, summary, ok in models if ok],
    )
    for key, summary, ok in models:
        if not ok:
            st.caption(
                f"{key.capitalize()} ({summary}) is not installed: run `scripts/setup.sh --{key}-model`."
            )
    with st.expander("Built-in model file"):
        st.text_input(
            "GGUF path (empty: the built-in model above)",
            key="gguf_path",
            help="Any local .gguf chat model, e.g. one you downloaded yourself.",
        )


def _render_pull(assistant: LocalAIAssistant) -> None:
    with st.form("pull_model", clear_on_submit=False, border=False):
        name = st.text_input("Pull a model", placeholder="e.g. llama3.2:1b")
        submitted = st.form_submit_button("Pull")
    if not submitted:
        return
    bar = st.progress(0.0, text=f"Pulling {escape_markdown(name)}...")
    try:
        for step in assistant.engines.pull_model(name):
            fraction = step.fraction
            label = f"{step.status} {fraction:.0%}" if fraction is not None else step.status
            bar.progress(min(fraction or 0.0, 1.0), text=escape_markdown(label))
    except AssistantError as e:
        bar.empty()
        st.error(inert_markdown(str(e)))
        return
    bar.progress(1.0, text=f"{escape_markdown(name)} is ready.")


def _render_style(session: SessionManager) -> None:
    st.subheader("Assistant style")
    options = [*prompts.PRESETS, prompts.CUSTOM]
    st.selectbox("System prompt", options, format_func=str.capitalize, key="preset")
    if session.get("preset") == prompts.CUSTOM:
        st.text_area("Your system prompt", key="custom_prompt", height=100)


def _render_conversations(assistant: LocalAIAssistant, session: SessionManager) -> tuple[Any, set[str]]:
    """The chat list; returns a slot above it for a chat made later in this run, and the ids listed."""
    st.subheader("Chats")
    if st.button("New chat", icon=":material/add:", use_container_width=True, key="new_chat"):
        session.conversation_id = ""  # created with its first message: no empty chats pile up
    current = session.conversation_id
    new_chat_slot = st.empty()
    chats = assistant.chats.list(session.owner)
    for conv in chats:
        is_current = conv.id == current
        if st.button(
            escape_markdown(conv.title),
            key=f"conv_{conv.id}",
            type="primary" if is_current else "secondary",
            use_container_width=True,
        ):
            session.conversation_id = conv.id
            session.set("pending_collection", conv.collection or NO_KNOWLEDGE_BASE)
            st.rerun()
    if current and assistant.chats.get(current, session.owner):
        _render_current_actions(assistant, session, current)
    return new_chat_slot, {c.id for c in chats}


def _render_current_actions(assistant: LocalAIAssistant, session: SessionManager, current: str) -> None:
    with st.expander("This chat"):
        title = assistant.chats.get(current).title
        new_title = st.text_input("Rename", value=title, key=f"rename_{current}")
        if new_title.strip() and new_title != title:
            assistant.chats.rename(current, new_title)
            st.rerun()
        st.download_button(
            "Export as Markdown",
            icon=":material/download:",
            data=assistant.chats.export_markdown(current),
            file_name=f"{title[:40].strip() or 'chat'}.md",
            mime="text/markdown",
            use_container_width=True,
        )
        sure = st.checkbox("Yes, delete this chat and its messages", key=f"sure_chat_{current}")
        if st.button(
            "Delete this chat",
            icon=":material/delete:",
            key="delete_chat",
            disabled=not sure,
            use_container_width=True,
        ):
            assistant.chats.delete(current)
            remove_replies(session.pop_live_replies(current))
            session.conversation_id = ""
            st.rerun()


def _render_stats(assistant: LocalAIAssistant, session: SessionManager) -> None:
    messages = assistant.chats.messages(session.conversation_id) if session.conversation_id else []
    answers = [m for m in messages if m.role == "assistant"]
    last = next((m.meta["stats"] for m in reversed(answers) if m.meta.get("stats")), None)
    render_stats_panel(len(messages), len(answers), last)
