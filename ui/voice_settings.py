"""Sidebar section for voice: spoken replies (voice, rate, volume) and the speech recogniser."""

from __future__ import annotations

import streamlit as st

from core.assistant import LocalAIAssistant
from core.session_manager import SessionManager
from core.voice.speech import LANGUAGES, PIPER_PREFIX, SIZE_LABELS, SIZES, STT_ENGINES
from core.voice.turn_taking import MIN_SPEECH_S, TurnTaking
from errors import AssistantError
from ui.hands_free import hands_free_listener, listener_installed
from ui.safe_text import inert_markdown


@st.cache_data(show_spinner=False)
def _voice_choices(_assistant: LocalAIAssistant) -> dict[str, str]:
    """Voice id -> name: natural voices, then English espeak-ng voices, then the rest (read once)."""
    voices = _assistant.voice.voices()
    natural = [v for v in voices if v.id.startswith(PIPER_PREFIX)]
    english = [
        v
        for v in voices
        if v not in natural and ("en" in v.id.split("/")[-1][:2] or v.name.lower().startswith("english"))
    ]
    rest = [v for v in voices if v not in natural and v not in english]
    default = f"Default ({natural[0].name})" if natural else "Default"
    return {"": default, **{v.id: v.name for v in natural + english + rest}}


@st.cache_data(show_spinner=False, ttl=60)
def _missing_sizes(_assistant: LocalAIAssistant, engine: str) -> dict[str, str]:
    """Whisper sizes not on this computer (looked up once a minute: a model may be added)."""
    return _assistant.voice.missing_sizes(engine)


def render_voice_settings(assistant: LocalAIAssistant, session: SessionManager) -> None:
    st.subheader("Voice")
    st.toggle("Speak replies", key="speak_replies", help="Read answers aloud as they are written.")
    _render_hands_free(assistant, session)
    with st.expander("Voice settings"):
        try:
            voices = _voice_choices(assistant)
        except AssistantError as e:
            st.warning(inert_markdown(str(e)))
            voices = {"": "Default"}
        st.selectbox("Voice", list(voices), format_func=voices.get, key="tts_voice")
        st.slider("Speaking rate (words/min)", 80, 300, step=5, key="tts_rate")
        st.slider("Volume", 0.0, 1.0, step=0.05, key="tts_volume")
        st.slider(
            "Hands-free: pause that ends a question (ms)",
            400,
            2000,
            step=100,
            key="hands_free_pause_ms",
            help="How long you must stay silent before what you said is sent.",
        )
        st.radio(
            "Speech recognition",
            list(STT_ENGINES),
            format_func=lambda e: (
                e + (" (not installed)" if len(_missing_sizes(assistant, e)) == len(SIZES) else "")
            ),
            key="stt_engine",
            horizontal=True,
        )
        missing = _missing_sizes(assistant, session.get("stt_engine"))
        size = st.selectbox(
            "Whisper model",
            SIZES,
            format_func=lambda s: SIZE_LABELS.get(s, s) + (" (not installed)" if s in missing else ""),
            key="whisper_size",
            help="tiny.en and base are built in (base is slower but makes fewer mistakes); "
            "others must be added to this computer first.",
        )
        if size in missing:
            st.warning(inert_markdown(missing[size]), icon=":material/block:")
        if not size.endswith(".en"):
            st.selectbox(
                "Spoken language", list(LANGUAGES), format_func=LANGUAGES.get, key="whisper_language"
            )
    if session.get("speak_replies") or session.get("hands_free"):
        # Load the recogniser and the voice now, not on the first spoken turn.
        assistant.voice.warm_up(session.ask_options(), session.stt_choice())


def _render_hands_free(assistant: LocalAIAssistant, session: SessionManager) -> None:
    """The "Hands-free" switch and, while it is on, the listener (it shows its own state)."""
    if session.get("hands_free_off") and session.get("hands_free"):
        session.set("hands_free", False)  # the listener failed on the last run: switch off
    st.toggle(
        "Hands-free",
        key="hands_free",
        on_change=lambda: session.set("hands_free_off", ""),
        help="Talk without clicking: the app listens, answers aloud after you pause, "
        "and stops talking when you speak. Switch off to release the microphone.",
    )
    if session.get("hands_free_off"):
        st.warning(inert_markdown(session.get("hands_free_off")), icon=":material/mic_off:")
    if not session.get("hands_free"):
        return
    if session.get("hands_free_notice"):
        st.caption(inert_markdown(session.get("hands_free_notice")))
    if not listener_installed():
        session.set("hands_free_off", "Hands-free needs its voice-detection files; run ./run.sh app again.")
        st.rerun()
    if session.get("turn_taking") is None:
        session.set("turn_taking", TurnTaking(assistant.settings.max_audio_s))
    value = hands_free_listener(
        answered=session.get("hands_free_answered"),
        pause_ms=int(session.get("hands_free_pause_ms")),
        min_speech_ms=int(MIN_SPEECH_S * 1000),
        head_start=assistant.settings.head_start,
    )
    turn = session.get("turn_taking").receive(value)
    if turn.kind == "error":
        session.set("hands_free_off", turn.message + " Hands-free is off.")
        st.rerun()
    elif turn.kind == "early":  # the speaker fell silent: start on the answer during the pause
        if session.get("head_start") is not None:
            session.get("head_start").cancel()  # the speaker went on after the last pause
        session.set(
            "head_start",
            assistant.answers.head_start(
                turn.nonce, turn.wav, session.conversation_id, session.ask_options(), session.stt_choice()
            ),
        )
    elif turn.kind in ("utterance", "rejected", "too_short"):
        session.set("hands_free_turn", turn)  # the chat answers it (ui/chat_interface.py)
    elif turn.kind == "barge_in" and session.conversation_id:
        # The rerun it caused has already stopped an answer still being written; one already
        # written (a fast CPU writes it long before it is all spoken) is marked as stopped.
        assistant.chats.mark_interrupted(session.conversation_id)
