"""Sidebar section for voice: spoken replies (voice, rate, volume) and the speech recogniser."""

from __future__ import annotations

import streamlit as st

from core.assistant import LocalAIAssistant
from core.session_manager import SessionManager
from errors import AssistantError
from models.tts_model import PIPER_PREFIX
from models.whisper_model import LANGUAGES, SIZE_LABELS, SIZES, STT_ENGINES
from ui.safe_text import inert_markdown


@st.cache_data(show_spinner=False)
def _voice_choices(_assistant: LocalAIAssistant) -> dict[str, str]:
    """Voice id -> name: natural voices, then English espeak-ng voices, then the rest (read once)."""
    voices = _assistant.tts_voices()
    natural = [v for v in voices if v.id.startswith(PIPER_PREFIX)]
    english = [
        v
        for v in voices
        if v not in natural and ("en" in v.id.split("/")[-1][:2] or v.name.lower().startswith("english"))
    ]
    rest = [v for v in voices if v not in natural and v not in english]
    default = f"Default ({natural[0].name})" if natural else "Default"
    return {"": default, **{v.id: v.name for v in natural + english + rest}}


def render_voice_settings(assistant: LocalAIAssistant, session: SessionManager) -> None:
    st.subheader("Voice")
    st.toggle("Speak replies", key="speak_replies", help="Read answers aloud as they are written.")
    with st.expander("Voice settings"):
        try:
            voices = _voice_choices(assistant)
        except AssistantError as e:
            st.warning(inert_markdown(str(e)))
            voices = {"": "Default"}
        st.selectbox("Voice", list(voices), format_func=voices.get, key="tts_voice")
        st.slider("Speaking rate (words/min)", 80, 300, step=5, key="tts_rate")
        st.slider("Volume", 0.0, 1.0, step=0.05, key="tts_volume")
        st.radio("Speech recognition", list(STT_ENGINES), key="stt_engine", horizontal=True)
        size = st.selectbox(
            "Whisper model",
            SIZES,
            format_func=lambda s: SIZE_LABELS.get(s, s),
            key="whisper_size",
            help="tiny.en and base are built in (base is slower but makes fewer mistakes); "
            "others must be on this computer.",
        )
        if not size.endswith(".en"):
            st.selectbox(
                "Spoken language", list(LANGUAGES), format_func=LANGUAGES.get, key="whisper_language"
            )
