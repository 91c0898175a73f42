"""The chat area: stored messages, the input, and a streamed answer. Rendering only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import streamlit as st

from core.assistant import LocalAIAssistant
from core.events import Done, Error, Event, Notice, Sources, Token
from core.session_manager import SessionManager
from errors import UserInputError
from services.conversations import StoredMessage
from ui.components import render_cut_off, render_sources

WELCOME = "Ask me anything. I run entirely on this computer: nothing you type or upload leaves it."


def render_chat(assistant: LocalAIAssistant, session: SessionManager) -> None:
    conversation_id = session.conversation_id
    if conversation_id and assistant.conversation(conversation_id) is None:
        session.conversation_id = conversation_id = ""
    messages = assistant.messages(conversation_id) if conversation_id else []
    if not messages:
        st.markdown("### How can I help?")
        st.caption(WELCOME)
    for message in messages:
        _render_stored(message)

    prompt = st.chat_input("Ask a question…")
    if prompt is not None:
        _answer(assistant, session, prompt)


def _render_stored(message: StoredMessage) -> None:
    with st.chat_message(message.role):
        st.markdown(message.content)
        if message.role == "assistant":
            render_sources(message.meta.get("sources", []))
            render_cut_off(message.meta)


def _answer(assistant: LocalAIAssistant, session: SessionManager, prompt: str) -> None:
    try:
        question = assistant.validate_message(prompt)
    except UserInputError as e:
        st.error(str(e))
        return
    if question is None:
        return
    if not session.conversation_id:
        session.conversation_id = assistant.new_conversation().id
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        notices = st.container()
        stop = st.empty()
        stop.button(
            "Stop",
            icon=":material/stop_circle:",
            key="stop_answer",
            help="Stop the answer; what was written is kept.",
        )
        others: list[Event] = []
        events = assistant.ask(session.conversation_id, question, session.ask_options())
        with closing(events):
            st.write_stream(_tokens(events, notices, others))
        stop.empty()
        for event in others:
            if isinstance(event, Error):
                st.error(event.text)
                if not event.partial:
                    return  # nothing was said: leave the error on screen
    st.rerun()


def _tokens(events: Iterator[Event], notices, others: list[Event]) -> Iterator[str]:
    """Yield the answer's text for ``st.write_stream``; show notices as they come; keep the rest."""
    for event in events:
        if isinstance(event, Token):
            yield event.text
        elif isinstance(event, Notice):
            notices.caption(f":material/info: {event.text}")
        elif isinstance(event, (Sources, Done)):
            continue  # stored with the message and rendered from there after the rerun
        else:
            others.append(event)
