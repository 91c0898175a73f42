"""Conversations and their messages: the ``Conversations`` protocol, and its SQLite store (the
default; storage/postgres/conversations.py keeps them in PostgreSQL when DATABASE_URL is set).

Every write commits at once (WAL journal), so killing the app mid-answer loses nothing that
was already said. One connection per call keeps it safe across Streamlit's script threads.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from storage import sqlite_db
from utils.citations import location

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    collection TEXT NOT NULL DEFAULT 'default'
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    meta TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
"""
# Columns later releases added; files made before them get the column on open.
_ADDED_COLUMNS = [
    ("conversations", "owner", "TEXT NOT NULL DEFAULT ''"),
    ("conversations", "collection", "TEXT NOT NULL DEFAULT 'default'"),
]
_COLUMNS = "id, title, created_at, updated_at, owner, collection"
SHARED = ""
"""The owner of chats made from the command line or before chats had owners: every browser sees them."""


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created_at: float
    updated_at: float
    owner: str = SHARED
    collection: str = "default"  # the knowledge base the chat answers from ("" = none)

    def visible_to(self, owner: str) -> bool:
        return self.owner in (owner, SHARED)


@dataclass(frozen=True)
class StoredMessage:
    id: int
    role: str
    content: str
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0


class Conversations(Protocol):
    """Where conversations and their messages are kept; every write is committed at once."""

    def create(
        self, title: str = "New chat", owner: str = SHARED, collection: str = "default"
    ) -> Conversation: ...

    def set_collection(self, conversation_id: str, collection: str) -> None: ...

    def forget_collection(self, collection: str) -> None:
        """Chats that answered from a deleted knowledge base now answer from none."""
        ...

    def get(self, conversation_id: str) -> Conversation | None: ...

    def list(self, owner: str | None = None) -> list[Conversation]:
        """Most recently active first: all, or those ``owner`` sees (theirs and the shared ones)."""
        ...

    def count(self, owner: str) -> int: ...

    def rename(self, conversation_id: str, title: str) -> None: ...

    def delete(self, conversation_id: str) -> None: ...

    def add_message(
        self, conversation_id: str, role: str, content: str, meta: dict[str, Any] | None = None
    ) -> int: ...

    def update_message(self, message_id: int, content: str, meta: dict[str, Any] | None = None) -> None: ...

    def messages(self, conversation_id: str) -> list[StoredMessage]: ...

    def export_markdown(self, conversation_id: str) -> str: ...


def clean_title(title: str) -> str:
    """A chat title as stored: one line, at most 120 characters, never empty."""
    return " ".join(title.split())[:120] or "Untitled"


def conversation_markdown(conv: Conversation, messages: list[StoredMessage]) -> str:
    """The conversation as a Markdown document."""
    lines = [f"# {conv.title}", ""]
    for m in messages:
        who = {"user": "You", "assistant": "Assistant"}.get(m.role, m.role.title())
        lines += [f"**{who}:**", "", m.content]
        if m.meta.get("cut_off"):
            lines += ["", f"_(answer cut off: {m.meta.get('cut_off_reason', 'stopped')})_"]
        for i, src in enumerate(m.meta.get("sources", []), start=1):
            where = location(src.get("unit", "page"), src.get("page_start"), src.get("page_end"))
            lines.append(f"> [{i}] {src.get('file')}, {where}")
        lines.append("")
    return "\n".join(lines)


class ConversationStore:
    """Conversations and messages in one SQLite file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        sqlite_db.create(self.path, _SCHEMA)
        sqlite_db.add_missing_columns(self.path, _ADDED_COLUMNS)

    def _connect(self):
        return sqlite_db.connect(self.path, timeout=10)

    def create(
        self, title: str = "New chat", owner: str = SHARED, collection: str = "default"
    ) -> Conversation:
        now = time.time()
        conv = Conversation(uuid.uuid4().hex, title, now, now, owner, collection)
        with self._connect() as db:
            db.execute(
                f"INSERT INTO conversations ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                (conv.id, conv.title, conv.created_at, conv.updated_at, conv.owner, conv.collection),
            )
        return conv

    def set_collection(self, conversation_id: str, collection: str) -> None:
        with self._connect() as db:
            db.execute("UPDATE conversations SET collection = ? WHERE id = ?", (collection, conversation_id))

    def forget_collection(self, collection: str) -> None:
        """Chats that answered from a deleted knowledge base now answer from none."""
        with self._connect() as db:
            db.execute("UPDATE conversations SET collection = '' WHERE collection = ?", (collection,))

    def get(self, conversation_id: str) -> Conversation | None:
        with self._connect() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM conversations WHERE id = ?",
                (conversation_id,),
            ).fetchone()
        return Conversation(*row) if row else None

    def list(self, owner: str | None = None) -> list[Conversation]:
        """Conversations, most recently active first: all of them, or those ``owner`` sees
        (their own and the shared ones)."""
        where, args = ("", ()) if owner is None else ("WHERE owner IN (?, ?) ", (owner, SHARED))
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM conversations {where}ORDER BY updated_at DESC, rowid DESC",
                args,
            ).fetchall()
        return [Conversation(*r) for r in rows]

    def count(self, owner: str) -> int:
        """How many conversations ``owner`` made."""
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM conversations WHERE owner = ?", (owner,)).fetchone()[0]

    def rename(self, conversation_id: str, title: str) -> None:
        title = clean_title(title)
        with self._connect() as db:
            db.execute("UPDATE conversations SET title = ? WHERE id = ?", (title, conversation_id))

    def delete(self, conversation_id: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))

    def add_message(
        self, conversation_id: str, role: str, content: str, meta: dict[str, Any] | None = None
    ) -> int:
        """Append a message and commit; returns its id."""
        now = time.time()
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO messages (conversation_id, role, content, meta, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (conversation_id, role, content, json.dumps(meta or {}), now),
            )
            db.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (now, conversation_id))
            return int(cur.lastrowid)

    def update_message(self, message_id: int, content: str, meta: dict[str, Any] | None = None) -> None:
        """Replace a message's text (and meta, when given), e.g. as a streamed answer grows."""
        with self._connect() as db:
            if meta is None:
                db.execute("UPDATE messages SET content = ? WHERE id = ?", (content, message_id))
            else:
                db.execute(
                    "UPDATE messages SET content = ?, meta = ? WHERE id = ?",
                    (content, json.dumps(meta), message_id),
                )

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, role, content, meta, created_at FROM messages "
                "WHERE conversation_id = ? ORDER BY id",
                (conversation_id,),
            ).fetchall()
        return [StoredMessage(r[0], r[1], r[2], json.loads(r[3]), r[4]) for r in rows]

    def export_markdown(self, conversation_id: str) -> str:
        """The conversation as a Markdown document ("" when there is none)."""
        conv = self.get(conversation_id)
        return conversation_markdown(conv, self.messages(conversation_id)) if conv else ""
