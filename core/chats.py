"""Conversations: new, list, rename, delete, export, who may see them, and the chat as the model
is shown it."""

from __future__ import annotations

from typing import Any

from config.settings import Settings
from errors import UserInputError
from storage.audio_store import AudioStore
from storage.collections import DEFAULT
from storage.conversations import SHARED, Conversation, Conversations, StoredMessage

__all__ = ["SHARED", "Chats", "Conversation", "StoredMessage", "title_from"]


class Chats:
    """Every saved chat, with the per-person limit and their stored spoken replies."""

    def __init__(self, settings: Settings, store: Conversations, audio: AudioStore):
        self.settings = settings
        self.store = store
        self._audio = audio

    def new(self, owner: str = SHARED, collection: str = DEFAULT) -> Conversation:
        """A new chat for ``owner`` (a browser's id; SHARED from the command line), answering from
        the knowledge base ``collection`` ("" = none)."""
        limit = self.settings.max_chats
        if owner != SHARED and self.store.count(owner) >= limit:
            raise UserInputError(
                f"You have {limit:,} chats, the most kept per person. "
                "Delete some old ones (sidebar, This chat) to start a new one."
            )
        return self.store.create(owner=owner, collection=collection)

    def get(self, conversation_id: str, owner: str | None = None) -> Conversation | None:
        """The chat, if it exists (and, given ``owner``, if that browser may see it)."""
        conv = self.store.get(conversation_id)
        if conv is None or (owner is not None and not conv.visible_to(owner)):
            return None
        return conv

    def list(self, owner: str | None = None) -> list[Conversation]:
        """Every chat, or those ``owner`` may see (their own and the shared ones)."""
        return self.store.list(owner)

    def using(self, collection: str, owner: str | None = None) -> list[Conversation]:
        """The chats (of those ``owner`` may see) that answer from knowledge base ``collection``."""
        return [c for c in self.list(owner) if c.collection == collection]

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        return self.store.messages(conversation_id)

    def rename(self, conversation_id: str, title: str) -> None:
        self.store.rename(conversation_id, title)

    def set_knowledge_base(self, conversation_id: str, collection: str) -> None:
        self.store.set_collection(conversation_id, collection)

    def delete(self, conversation_id: str) -> None:
        """Delete the chat, its messages and its stored spoken replies."""
        recordings = [m.meta.get("audio", "") for m in self.store.messages(conversation_id)]
        self.store.delete(conversation_id)
        self._audio.delete(recordings)

    def export_markdown(self, conversation_id: str) -> str:
        return self.store.export_markdown(conversation_id)

    # --- what answering reads and writes ----------------------------------------------
    def add_question(self, conversation_id: str, question: str, first: bool) -> None:
        """Store the question; the ``first`` question of a chat also names it."""
        self.store.add_message(conversation_id, "user", question)
        if first:
            self.store.rename(conversation_id, title_from(question))

    def add_answer(self, conversation_id: str, text: str, meta: dict[str, Any] | None = None) -> int:
        """Store an answer with what it came from; its message id."""
        return self.store.add_message(conversation_id, "assistant", text, meta)

    def mark_interrupted(self, conversation_id: str) -> bool:
        """The listener talked over the last spoken reply after it was fully written (a barge-in
        while it was being written stops the answer itself): mark it "stopped by you", text kept.
        False when the last message is no spoken reply, or is already marked."""
        messages = self.store.messages(conversation_id)
        last = messages[-1] if messages else None
        if last is None or last.role != "assistant" or not last.meta.get("audio") or last.meta.get("cut_off"):
            return False
        meta = {**last.meta, "cut_off": True, "cut_off_reason": "stopped"}
        self.store.update_message(last.id, last.content, meta)
        return True


def title_from(question: str) -> str:
    """A chat's title from its first question: at most 60 characters."""
    words = " ".join(question.split())
    return words if len(words) <= 60 else words[:57].rstrip() + "..."
