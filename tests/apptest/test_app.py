"""The Streamlit page, run in-process with AppTest; FakeLLM stands in for the engines."""

from __future__ import annotations

import socket

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from models import llm_registry  # noqa: F401  (registers the real backends first)
from models.llm_base import LLM_BACKENDS
from storage.conversations import ConversationStore
from tests.conftest import ROOT
from tests.fakes import FakeLLM

APP = str(ROOT / "app.py")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake_reply(monkeypatch, tmp_path):
    """Run the app with FakeLLM as its built-in engine and no Ollama; returns the reply pieces."""
    pieces = ["The capital", " of France", " is **Paris**", " <b>bold</b><script>x()</script>"]
    monkeypatch.setitem(LLM_BACKENDS, "embedded", lambda settings: FakeLLM("embedded", pieces))
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OLLAMA_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("MAX_MESSAGE_CHARS", "200")
    st.cache_resource.clear()
    yield pieces
    st.cache_resource.clear()


def run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    return at.run()


def test_page_renders(fake_reply):
    at = run_app()
    assert not at.exception
    assert len(at.chat_input) == 1
    assert any("Local Assistant" in t.value for t in at.sidebar.title)
    assert any("built-in model" in i.value for i in at.sidebar.info)


def test_typed_question_gets_a_streamed_answer_stored_and_listed(fake_reply, tmp_path):
    at = run_app()
    at.chat_input[0].set_value("What is the capital of France?").run()
    assert not at.exception
    messages = at.chat_message
    assert [m.name for m in messages] == ["user", "assistant"]
    answer = messages[1].markdown[0]
    # the tags are escaped (shown as typed, never rendered); the Markdown emphasis is kept
    assert answer.value == "The capital of France is **Paris** \\<b>bold\\</b>\\<script>x()\\</script>"
    assert not answer.proto.allow_html  # model text is Markdown, never raw HTML
    assert any(b.label == "What is the capital of France?" for b in at.sidebar.button)
    conv = ConversationStore(tmp_path / "conversations.sqlite3").list()[0]
    assert conv.title == "What is the capital of France?"


def test_switching_conversations(fake_reply, tmp_path):
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    first = store.create("Cooking")
    store.add_message(first.id, "user", "How long to boil an egg?")
    second = store.create("Travel")
    store.add_message(second.id, "user", "Best time to visit Lisbon?")
    at = run_app()
    assert [b.label for b in at.sidebar.button if b.key and b.key.startswith("conv_")] == [
        "Travel",
        "Cooking",
    ]
    at.sidebar.button(key=f"conv_{first.id}").click().run()
    assert [m.markdown[0].value for m in at.chat_message] == ["How long to boil an egg?"]
    at.sidebar.button(key=f"conv_{second.id}").click().run()
    assert [m.markdown[0].value for m in at.chat_message] == ["Best time to visit Lisbon?"]


def test_new_chat_and_delete(fake_reply, tmp_path):
    at = run_app()
    at.chat_input[0].set_value("hello").run()
    at.sidebar.button(key="new_chat").click().run()
    assert len(at.chat_message) == 0
    at.chat_input[0].set_value("second chat").run()
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    assert [c.title for c in store.list()] == ["second chat", "hello"]
    assert [m.markdown[0].value for m in at.chat_message][0] == "second chat"
    assert at.sidebar.button(key="delete_chat").disabled  # not before it is confirmed
    at.sidebar.checkbox(
        key=next(c.key for c in at.sidebar.checkbox if c.key.startswith("sure_chat_"))
    ).check().run()
    at.sidebar.button(key="delete_chat").click().run()
    assert not at.exception and len(at.chat_message) == 0
    assert [c.title for c in store.list()] == ["hello"]


def test_over_long_message_is_refused(fake_reply, tmp_path):
    at = run_app()
    at.chat_input[0].set_value("x" * 201).run()
    assert len(at.chat_message) == 0
    assert "limit is 200" in at.error[0].value
    assert at.chat_input[0].proto.value == "x" * 201  # put back in the box, not lost
    assert ConversationStore(tmp_path / "conversations.sqlite3").list() == []


def test_whitespace_message_is_ignored(fake_reply):
    at = run_app()
    at.chat_input[0].set_value("   ").run()
    assert len(at.chat_message) == 0 and not at.error


def test_no_warning_on_loopback_and_a_banner_when_reachable_from_other_computers(fake_reply, monkeypatch):
    at = run_app()
    assert not any("reachable from other computers" in w.value for w in at.warning)
    monkeypatch.setenv("EXPOSED_ADDRESS", "0.0.0.0")
    st.cache_resource.clear()  # settings are read when the orchestrator is made
    at = run_app()
    banner = [w.value for w in at.warning if "reachable from other computers" in w.value]
    assert banner and "0.0.0.0" in banner[0] and "HTTPS" in banner[0]


def test_create_choose_and_delete_a_knowledge_base(fake_reply, tmp_path):
    at = run_app()
    next(t for t in at.sidebar.text_input if t.label == "New knowledge base").set_value("Contracts")
    next(b for b in at.sidebar.button if b.label == "Create").click().run()
    assert not at.exception
    picker = next(s for s in at.sidebar.selectbox if s.label == "Knowledge base")
    assert picker.options == ["My documents", "Contracts", "None: answer without documents"]
    chosen = picker.value
    assert chosen not in ("default", "none")  # the new one is chosen

    at.chat_input[0].set_value("What is the capital of France?").run()
    conv = ConversationStore(tmp_path / "conversations.sqlite3").list()[0]
    assert conv.collection == chosen  # the chat remembers its knowledge base

    assert any("Used by 1 chat (“What is the capital of France?”)" in c.value for c in at.sidebar.caption)
    next(c for c in at.sidebar.checkbox if c.label.startswith("Yes, delete Contracts")).check().run()
    next(b for b in at.sidebar.button if b.label == "Delete this knowledge base").click().run()
    picker = next(s for s in at.sidebar.selectbox if s.label == "Knowledge base")
    assert picker.options == ["My documents", "None: answer without documents"]
    assert picker.value == "none"  # as every other chat that used it: told, not moved elsewhere
    assert ConversationStore(tmp_path / "conversations.sqlite3").list()[0].collection == ""


def test_two_passages_of_one_page_are_shown_as_one_source_citing_both(fake_reply, tmp_path):
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    chat = store.create("Balance sheet")
    store.add_message(chat.id, "user", "What were total current liabilities?")
    page = {"file": "acme.pdf", "page_start": 12, "page_end": 12, "doc_id": "d1", "unit": "page"}
    sources = [
        {**page, "number": 1, "score": 0.62, "text": "Cash 1,203 987\nTotal current assets 9,812"},
        {**page, "number": 2, "score": 0.81, "text": "Total current liabilities 6,020 5,730"},
        {**page, "number": 3, "score": 0.40, "page_start": 30, "page_end": 30, "text": "Item 7."},
    ]
    store.add_message(chat.id, "assistant", "They were 6,020 [2].", meta={"sources": sources})
    at = run_app()
    at.sidebar.button(key=f"conv_{chat.id}").click().run()
    assert not at.exception
    labels = [e.label for e in at.chat_message[1].expander]
    assert labels == ["[1] [2] acme\\.pdf, p. 12 · relevance 0.81", "[3] acme\\.pdf, p. 30 · relevance 0.40"]
    assert "Total current liabilities 6,020" in at.chat_message[1].expander[0].text[0].value


def test_following_a_folder_adds_its_documents_and_says_what_the_sync_did(
    fake_reply, tmp_path_factory, monkeypatch
):
    import time

    monkeypatch.setenv("FOLDER_SYNC_DELAY_S", "0")  # no watcher: the page's own sync only
    notes = tmp_path_factory.mktemp("notes")  # not under DATA_DIR (that is refused)
    (notes / "budget.txt").write_text("The garden budget for 2024 is 1,200 dollars.")
    at = run_app()
    next(t for t in at.sidebar.text_input if t.label == "Folder on this computer").set_value("no/such")
    next(b for b in at.sidebar.button if b.label == "Follow this folder").click().run()
    assert any("full path" in e.value for e in at.sidebar.error)

    next(t for t in at.sidebar.text_input if t.label == "Folder on this computer").set_value(str(notes))
    next(b for b in at.sidebar.button if b.label == "Follow this folder").click().run()
    assert not at.exception
    assert any("Follows " in c.value and "notes" in c.value for c in at.sidebar.caption)
    end = time.monotonic() + 60
    while time.monotonic() < end and not any("Last sync" in c.value for c in at.sidebar.caption):
        time.sleep(0.5)
        at.run()
    assert any("Last sync" in c.value and "1 added" in c.value for c in at.sidebar.caption)
    assert any("1 document" in c.value for c in at.sidebar.caption)
    assert any(c.value.startswith("Stored on this computer in SQLite") for c in at.sidebar.caption)
    assert any(b.label == "Sync now" for b in at.sidebar.button)


def test_the_page_works_with_the_database_down_and_says_why(fake_reply, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://assistant:s3cret@127.0.0.1:{closed_port()}/assistant")
    at = run_app()
    assert not at.exception
    banner = " ".join(w.value for w in at.warning)
    assert "Cannot connect to the knowledge base" in banner and "chats are kept on this computer" in banner
    assert any("Cannot connect" in e.value for e in at.sidebar.error)  # where the documents would be
    assert "s3cret" not in banner + " ".join(e.value for e in at.sidebar.error)
    at.chat_input[0].set_value("What is the capital of France?").run()
    assert not at.exception
    assert any("they cannot be read now" in c.value for c in at.main.caption)
    assert "Paris" in " ".join(m.markdown[0].value for m in at.chat_message if m.markdown)
