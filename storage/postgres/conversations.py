"""Conversations and their messages in PostgreSQL (DATABASE_URL), for several app processes
sharing one database: the same behaviour as the SQLite store (storage/conversations.py), every
write committed at once."""

from __future__ import annotations

import time
import uuid
from typing import Any

from psycopg.types.json import Jsonb

from storage.conversations import SHARED, Conversation, StoredMessage, clean_title, conversation_markdown
from storage.postgres.app_tables import SCHEMA, connection, ready

_COLUMNS = "id, title, created_at, updated_at, owner, collection"
_CONVERSATIONS = f"{SCHEMA}.conversations"
_MESSAGES = f"{SCHEMA}.messages"


class PostgresConversationStore:
    """Conversations and messages in the database at ``url`` (schema ``assistant_app``)."""

    def __init__(self, url: str):
        self.url = url
        ready(url)

    def create(
        self, title: str = "New chat", owner: str = SHARED, collection: str = "default"
    ) -> Conversation:
        now = time.time()
        conv = Conversation(uuid.uuid4().hex, title, now, now, owner, collection)
        with connection(self.url) as db:
            db.execute(
                f"INSERT INTO {_CONVERSATIONS} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s)",
                (conv.id, conv.title, conv.created_at, conv.updated_at, conv.owner, conv.collection),
            )
        return conv

    def set_collection(self, conversation_id: str, collection: str) -> None:
        with connection(self.url) as db:
            db.execute(
                f"UPDATE {_CONVERSATIONS} SET collection = %s WHERE id = %s", (collection, conversation_id)
            )

    def forget_collection(self, collection: str) -> None:
        """Chats that answered from a deleted knowledge base now answer from none."""
        with connection(self.url) as db:
            db.execute(f"UPDATE {_CONVERSATIONS} SET collection = '' WHERE collection = %s", (collection,))

    def get(self, conversation_id: str) -> Conversation | None:
        with connection(self.url) as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM {_CONVERSATIONS} WHERE id = %s", (conversation_id,)
            ).fetchone()
        return Conversation(*row) if row else None

    def list(self, owner: str | None = None) -> list[Conversation]:
        """Most recently active first: all, or those ``owner`` sees (theirs and the shared ones)."""
        where, args = ("", ()) if owner is None else ("WHERE owner IN (%s, %s) ", (owner, SHARED))
        with connection(self.url) as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM {_CONVERSATIONS} {where}ORDER BY updated_at DESC, seq DESC", args
            ).fetchall()
        return [Conversation(*r) for r in rows]

    def count(self, owner: str) -> int:
        with connection(self.url) as db:
            row = db.execute(f"SELECT count(*) FROM {_CONVERSATIONS} WHERE owner = %s", (owner,)).fetchone()
        return int(row[0]) if row else 0

    def rename(self, conversation_id: str, title: str) -> None:
        with connection(self.url) as db:
            db.execute(
                f"UPDATE {_CONVERSATIONS} SET title = %s WHERE id = %s", (clean_title(title), conversation_id)
            )

    def delete(self, conversation_id: str) -> None:
        with connection(self.url) as db:
            db.execute(f"DELETE FROM {_CONVERSATIONS} WHERE id = %s", (conversation_id,))

    def add_message(
        self, conversation_id: str, role: str, content: str, meta: dict[str, Any] | None = None
    ) -> int:
        """Append a message and commit; returns its id."""
        now = time.time()
        with connection(self.url) as db:
            row = db.execute(
                f"INSERT INTO {_MESSAGES} (conversation_id, role, content, meta, created_at) "
                "VALUES (%s, %s, %s, %s, %s) RETURNING id",
                (conversation_id, role, content, Jsonb(meta or {}), now),
            ).fetchone()
            db.execute(f"UPDATE {_CONVERSATIONS} SET updated_at = %s WHERE id = %s", (now, conversation_id))
        assert row is not None
        return int(row[0])

    def update_message(self, message_id: int, content: str, meta: dict[str, Any] | None = None) -> None:
        """Replace a message's text (and meta, when given), e.g. as a streamed answer grows."""
        with connection(self.url) as db:
            if meta is None:
                db.execute(f"UPDATE {_MESSAGES} SET content = %s WHERE id = %s", (content, message_id))
            else:
                db.execute(
                    f"UPDATE {_MESSAGES} SET content = %s, meta = %s WHERE id = %s",
                    (content, Jsonb(meta), message_id),
                )

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        with connection(self.url) as db:
            rows = db.execute(
                f"SELECT id, role, content, meta, created_at FROM {_MESSAGES} "
                "WHERE conversation_id = %s ORDER BY id",
                (conversation_id,),
            ).fetchall()
        return [StoredMessage(int(r[0]), r[1], r[2], r[3], r[4]) for r in rows]

    def export_markdown(self, conversation_id: str) -> str:
        """The conversation as a Markdown document ("" when there is none)."""
        conv = self.get(conversation_id)
        return conversation_markdown(conv, self.messages(conversation_id)) if conv else ""
