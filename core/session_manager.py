"""SessionManager: the only code that reads or writes ``st.session_state``.

Per-browser-session choices live here with their defaults in one place; durable data
(conversations, documents) lives on disk behind the orchestrator.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, fields
from typing import Any

from core.assistant import AskOptions


@dataclass
class SessionDefaults:
    conversation_id: str = ""
    backend: str = "auto"
    ollama_model: str = ""
    openai_base_url: str = ""
    openai_api_key: str = ""
    openai_model: str = ""
    builtin_model: str = "fast"
    gguf_path: str = ""
    preset: str = "default"
    custom_prompt: str = ""
    use_documents: bool = True
    collection: str = "default"  # the knowledge base this chat uses ("" = none)
    pending_collection: str = ""  # to select on the next run (set after the selectbox was drawn)
    documents_only: bool = False
    speak_replies: bool = False
    hands_free: bool = False  # listen continuously, answer aloud (ui/hands_free)
    hands_free_pause_ms: int = 800  # silence that ends an utterance
    hands_free_turn: Any = None  # a core.voice.turn_taking.Turn waiting for the chat to answer it
    hands_free_answered: int = 0  # the last utterance number answered (the listener shows "listening")
    hands_free_notice: str = ""  # e.g. the last utterance was too long
    hands_free_off: str = ""  # why hands-free was switched off (shown until it is switched on again)
    turn_taking: Any = None  # core.voice.turn_taking.TurnTaking of this session
    head_start: Any = None  # core.voice.head_start.HeadStart of the question being spoken, if any
    stt_engine: str = "faster-whisper"
    whisper_size: str = "tiny.en"
    whisper_language: str = "en"
    tts_voice: str = ""
    tts_rate: int = 175
    tts_volume: float = 0.9
    refused_message: Any = None  # (text, why) of a typed message that was not sent, to put back
    kb_notice: str = ""  # what creating or deleting a knowledge base just did, shown once
    live_replies: dict = field(default_factory=dict)  # conversation id -> spoken-reply folder ids


NO_KNOWLEDGE_BASE = "none"
"""The knowledge-base choice meaning "answer without documents" (ids are hex or "default")."""

OWNER_COOKIE = "local_assistant_owner"
"""The cookie that tells one browser's chats from another's (a random id, no personal data)."""
_OWNER_ID = re.compile(r"[0-9a-f]{32}")


class SessionManager:
    """Typed access to one browser session's state."""

    def __init__(
        self, state: MutableMapping[str, Any] | None = None, cookies: Mapping[str, str] | None = None
    ):
        if state is None or cookies is None:
            import streamlit as st

            state = st.session_state if state is None else state
            cookies = dict(st.context.cookies) if cookies is None else cookies
        self._state = state
        defaults = SessionDefaults()
        for f in fields(SessionDefaults):
            self._state.setdefault(f.name, getattr(defaults, f.name))
        if "owner" not in self._state:
            known = cookies.get(OWNER_COOKIE, "")
            self._state["owner_is_new"] = not _OWNER_ID.fullmatch(known)
            self._state["owner"] = uuid.uuid4().hex if self._state["owner_is_new"] else known

    @property
    def owner(self) -> str:
        """This browser's id: its chats are listed only for it (kept in a cookie across reloads)."""
        return self._state["owner"]

    @property
    def collection(self) -> str:
        """The knowledge base this chat answers from, as the orchestrator names it ("" = none)."""
        chosen = self._state["collection"]
        return "" if chosen == NO_KNOWLEDGE_BASE else chosen

    def add_live_reply(self, conversation_id: str, reply: str) -> None:
        """Remember the folder of a reply spoken in this chat, to remove it with the chat."""
        self._state["live_replies"].setdefault(conversation_id, []).append(reply)

    def pop_live_replies(self, conversation_id: str) -> list[str]:
        return self._state["live_replies"].pop(conversation_id, [])

    @property
    def owner_cookie_to_set(self) -> str:
        """The id to store in the browser's cookie, when the browser does not hold it yet."""
        return self._state["owner"] if self._state["owner_is_new"] else ""

    def get(self, key: str) -> Any:
        return self._state[key]

    def set(self, key: str, value: Any) -> None:
        self._state[key] = value

    @property
    def conversation_id(self) -> str:
        return self._state["conversation_id"]

    @conversation_id.setter
    def conversation_id(self, value: str) -> None:
        self._state["conversation_id"] = value

    def stt_choice(self) -> tuple[str, str, str]:
        """The chosen speech recogniser: engine, Whisper size, spoken language."""
        return (self._state["stt_engine"], self._state["whisper_size"], self._state["whisper_language"])

    def ask_options(self) -> AskOptions:
        """The sidebar's current choices as options for one question."""
        return AskOptions(
            backend=self._state["backend"],
            ollama_model=self._state["ollama_model"],
            openai_base_url=self._state["openai_base_url"].strip(),
            openai_api_key=self._state["openai_api_key"],
            openai_model=self._state["openai_model"],
            builtin_model=self._state["builtin_model"],
            gguf_path=self._state["gguf_path"].strip(),
            preset=self._state["preset"],
            custom_prompt=self._state["custom_prompt"],
            use_documents=self._state["use_documents"],
            collection=self.collection,
            documents_only=self._state["documents_only"],
            speak=self._state["speak_replies"] or self._state["hands_free"],
            tts_voice=self._state["tts_voice"],
            tts_rate=int(self._state["tts_rate"]),
            tts_volume=float(self._state["tts_volume"]),
        )
