import sqlite3

from storage.conversations import ConversationStore


def test_create_list_newest_first_rename_delete(tmp_path):
    store = ConversationStore(tmp_path / "c.db")
    a = store.create("first")
    b = store.create("second")
    assert [c.id for c in store.list()] == [b.id, a.id]
    store.add_message(a.id, "user", "hello")
    assert [c.id for c in store.list()] == [a.id, b.id]  # activity moves a chat to the top
    store.rename(a.id, "  renamed   chat ")
    assert store.get(a.id).title == "renamed chat"
    store.delete(a.id)
    assert store.get(a.id) is None and store.messages(a.id) == []


def test_messages_persist_across_instances(tmp_path):
    path = tmp_path / "c.db"
    store = ConversationStore(path)
    conv = store.create()
    store.add_message(conv.id, "user", "<script>alert(1)</script>")
    mid = store.add_message(conv.id, "assistant", "partial", {"cut_off": True})
    store.update_message(mid, "partial answer", {"cut_off": True, "cut_off_reason": "stopped"})
    again = ConversationStore(path)
    msgs = again.messages(conv.id)
    assert [m.content for m in msgs] == ["<script>alert(1)</script>", "partial answer"]
    assert msgs[1].meta == {"cut_off": True, "cut_off_reason": "stopped"}


def test_each_message_is_committed_at_once(tmp_path):
    path = tmp_path / "c.db"
    store = ConversationStore(path)
    conv = store.create()
    store.add_message(conv.id, "user", "saved")
    # A second, independent connection sees it without any close/flush on the store's side.
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT content FROM messages").fetchall() == [("saved",)]


def test_export_markdown(tmp_path):
    store = ConversationStore(tmp_path / "c.db")
    conv = store.create("Trip")
    store.add_message(conv.id, "user", "Where?")
    store.add_message(
        conv.id,
        "assistant",
        "Paris [1]",
        {
            "sources": [{"file": "guide.pdf", "page_start": 3, "page_end": 4}],
            "cut_off": True,
            "cut_off_reason": "stopped",
        },
    )
    md = store.export_markdown(conv.id)
    assert md.startswith("# Trip")
    assert "**You:**\n\nWhere?" in md and "**Assistant:**\n\nParis [1]" in md
    assert "> [1] guide.pdf, pp. 3-4" in md and "cut off: stopped" in md
