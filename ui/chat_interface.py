"""The chat area: stored messages, the input (typed, spoken or an audio file), and a streamed
answer, spoken sentence by sentence when the user asked for it. Rendering only."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import streamlit as st

from core.assistant import LocalAIAssistant
from core.chats import StoredMessage
from core.events import Audio, Check, Done, Error, Event, Notice, Sources, Stats, Token
from core.session_manager import SessionManager
from core.voice.head_start import HeadStart
from core.voice.spoken import Heard
from errors import AssistantError, AudioError, UserInputError
from ui.audio_player import LiveReplyAudio
from ui.components import (
    PagePicture,
    render_breakdown,
    render_check,
    render_computed,
    render_cut_off,
    render_no_passage,
    render_sources,
)
from ui.safe_text import inert_markdown

WELCOME = (
    "Ask me anything, by typing or with the microphone. "
    "I run entirely on this computer: nothing you type, say or upload leaves it."
)
#: The growing answer is redrawn at most this often: redrawn after every token, the browser's work
#: on the same two cores cost a quarter of the model's writing speed (BENCHMARKS.md).
REDRAW_S = 0.2
CHAT_INPUT = "chat_input"
AUDIO_TYPES = ["wav", "mp3", "m4a", "ogg", "oga", "opus", "webm", "flac", "aac"]


def render_chat(assistant: LocalAIAssistant, session: SessionManager) -> None:
    conversation_id = session.conversation_id
    if conversation_id and assistant.chats.get(conversation_id, session.owner) is None:
        session.conversation_id = conversation_id = ""
    messages = assistant.chats.messages(conversation_id) if conversation_id else []
    if not messages:
        st.markdown("### How can I help?")
        st.caption(WELCOME)
    picture = _page_picture(assistant, conversation_id) if messages else None
    for message in messages:
        _render_stored(assistant, message, picture)

    refused = session.get("refused_message")
    if refused:  # put back what was typed, with why it was not sent (set before the widget exists)
        session.set("refused_message", None)
        st.session_state[CHAT_INPUT] = refused[0]
        st.error(inert_markdown(refused[1]))
    value = st.chat_input(
        "Ask a question, or press the microphone…",
        key=CHAT_INPUT,
        accept_audio=True,
        audio_sample_rate=16000,
        accept_file=True,
        file_type=AUDIO_TYPES,
    )
    turn = session.get("hands_free_turn")
    if turn is not None:
        session.set("hands_free_turn", None)
        _answer_spoken_turn(assistant, session, turn)
        return
    if value is None:
        return
    heard = None
    recording = _recording(value)
    if recording is not None:
        heard = _listen(assistant, session, recording)
        if heard is None:
            return
    text = " ".join(part for part in (_typed(value), heard.text if heard else "") if part)
    _answer(assistant, session, text, heard)


def _typed(value: Any) -> str:
    return value if isinstance(value, str) else (value.text or "")


def _recording(value: Any) -> Any:
    """The recorded or uploaded audio of a chat input value, if any."""
    if isinstance(value, str):
        return None
    audio = getattr(value, "audio", None)
    if audio is not None:
        return audio
    files = getattr(value, "files", None) or []
    return files[0] if files else None


def _answer_spoken_turn(assistant: LocalAIAssistant, session: SessionManager, turn: Any) -> None:
    """A hands-free utterance: transcribe it and answer aloud; noise that holds no words is
    dropped quietly and listening goes on."""
    session.set("hands_free_notice", turn.message)  # "too long" (shown under the switch), or cleared
    head_start, heard = session.get("head_start"), None
    session.set("head_start", None)
    if head_start is not None and (turn.kind != "utterance" or head_start.nonce != turn.head_start):
        head_start.cancel()  # the speaker went on after the pause it was taken in
        head_start = None
    if turn.kind == "utterance":
        heard = _listen(assistant, session, head_start or turn.wav, quiet=True)
    session.set("hands_free_answered", turn.seq)
    if heard is None or not heard.text.strip():
        st.rerun()  # the listener learns that nothing is coming and shows "listening" again
    _answer(assistant, session, heard.text, heard)


def _listen(
    assistant: LocalAIAssistant, session: SessionManager, recording: Any, quiet: bool = False
) -> Heard | None:
    """Text of a recording (an uploaded file, the chat's microphone, hands-free bytes, or a
    hands-free head start's transcript); ``quiet``: say nothing when it held no speech
    (hands-free hears coughs and doors)."""
    try:
        with st.spinner("Listening…"):
            if isinstance(recording, HeadStart):
                return recording.heard()
            data = recording if isinstance(recording, bytes) else recording.getvalue()
            return assistant.voice.transcribe(data, *session.stt_choice())
    except AudioError as e:
        if not quiet:
            st.info(inert_markdown(str(e)), icon=":material/hearing:")
    except AssistantError as e:
        st.error(inert_markdown(str(e)))
    return None


def _page_picture(assistant: LocalAIAssistant, conversation_id: str) -> PagePicture | None:
    """Pictures of the pages a chat's answers cite, from the knowledge base of that chat."""
    conversation = assistant.chats.get(conversation_id)
    collection = conversation.collection if conversation else ""
    if not collection:
        return None

    def picture(source: dict) -> bytes | None:
        try:
            return assistant.library.page_picture(source, collection)
        except AssistantError:
            return None  # the knowledge base was deleted since

    return picture


def _render_stored(assistant: LocalAIAssistant, message: StoredMessage, picture: PagePicture | None) -> None:
    with st.chat_message(message.role):
        for note in message.meta.get("notes") or ():  # as they were shown above the answer
            st.caption(f":material/info: {inert_markdown(note)}")
        st.markdown(inert_markdown(message.content))
        if message.role != "assistant":
            return
        audio = message.meta.get("audio")
        path = assistant.voice.audio_path(audio) if audio else None
        if path:
            st.audio(str(path), format="audio/wav")
        render_computed(message.meta.get("computed"))
        render_check(message.meta.get("check"))
        render_no_passage(message.meta)
        render_sources(message.meta.get("sources", []), picture, str(message.id))
        render_cut_off(message.meta)


def _answer(assistant: LocalAIAssistant, session: SessionManager, prompt: str, heard: Heard | None) -> None:
    try:
        question = assistant.answers.validate_message(prompt)
    except UserInputError as e:
        if heard is not None:  # nothing was typed to keep
            st.error(inert_markdown(str(e)))
            return
        session.set("refused_message", (prompt, str(e)))
        st.rerun()  # draws the box again with the text in it
    if question is None:
        return
    if not session.conversation_id:
        try:
            session.conversation_id = assistant.chats.new(session.owner, session.collection).id
        except UserInputError as e:
            st.error(inert_markdown(str(e)))
            return
    with st.chat_message("user"):
        st.markdown(inert_markdown(question))
    options = session.ask_options()
    with st.chat_message("assistant"):
        notices = st.container()
        live = LiveReplyAudio() if options.speak else None
        if live:
            session.add_live_reply(session.conversation_id, live.reply)
            live.reserve_player()
        stop = st.empty()
        stop.button(
            "Stop",
            icon=":material/stop_circle:",
            key="stop_answer",
            help="Stop the answer; what was written is kept.",
        )
        others: list[Event] = []
        events = assistant.answers.ask(session.conversation_id, question, options, heard)
        try:
            with closing(events):
                _stream_markdown(_tokens(events, notices, others, live))
        finally:
            if live:
                live.finish()
        stop.empty()
        if live:
            live.clear_if_silent()
        for event in others:
            if isinstance(event, Error):
                st.error(inert_markdown(event.text))
                if not event.partial:
                    return  # nothing was said: leave the error on screen
        if live and live.count:
            # No rerun: it would remove the player while the reply is still being spoken.
            for event in others:
                if isinstance(event, Check):
                    render_check(event.__dict__)
                elif isinstance(event, Sources):
                    render_sources([s.as_dict() for s in event.items])
                elif isinstance(event, Stats):
                    render_breakdown(event.breakdown)
            return
    st.rerun()


def _stream_markdown(pieces: Iterator[str]) -> None:
    """Show the answer as it grows, made inert each time (an image split across two pieces is
    still caught), like ``st.write_stream`` but never rendering an image or a tag. The first
    piece is shown at once, later ones at most every REDRAW_S."""
    shown = st.empty()
    text, drawn = "", float("-inf")
    for piece in pieces:
        text += piece
        now = time.monotonic()
        if now - drawn >= REDRAW_S:
            shown.markdown(inert_markdown(text) + " ▌")
            drawn = now
    if text:
        shown.markdown(inert_markdown(text))
    else:
        shown.empty()


def _tokens(
    events: Iterator[Event], notices, others: list[Event], live: LiveReplyAudio | None
) -> Iterator[str]:
    """Yield the answer's text for ``_stream_markdown``; show notices and hand audio to the player."""
    for event in events:
        if isinstance(event, Token):
            yield event.text
        elif isinstance(event, Audio):
            if live:
                live.add(event.index, event.wav)
        elif isinstance(event, Notice):
            notices.caption(f":material/info: {inert_markdown(event.text)}")
        elif not isinstance(event, Done):
            others.append(event)  # errors and stats; sources are also stored with the message
