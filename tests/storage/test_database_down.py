"""DATABASE_URL set but nothing listening there (a real connection refused on 127.0.0.1): the app
still starts and chats, keeps the chats on this computer, and says why its answers use no
documents; the password is never shown."""

from __future__ import annotations

from config.settings import Settings
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Notice, Token
from storage.conversations import ConversationStore
from tests.fakes import FakeLLM

DOWN = "postgresql://assistant:s3cret@127.0.0.1:1/assistant"  # port 1: nothing listens


def test_with_the_database_down_at_start_the_app_chats_without_documents_and_says_why(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url=DOWN)
    llms = {"ollama": FakeLLM("ollama"), "embedded": FakeLLM("embedded")}
    assistant = LocalAIAssistant(settings, llms=llms)
    problem = assistant.storage_problem
    assert "Cannot connect to the knowledge base database 'assistant'" in problem
    assert "chats are kept on this computer" in problem and "s3cret" not in problem
    assert [kb.name for kb in assistant.library.knowledge_bases()] == ["My documents"]

    cid = assistant.chats.new().id
    options = AskOptions(use_documents=True, collection="default")
    events = list(assistant.answers.ask(cid, "What were Apple's net sales in 2022?", options))
    notes = [e.text for e in events if isinstance(e, Notice)]
    assert any(n.startswith("Not from your documents: they cannot be read now") for n in notes)
    assert "".join(e.text for e in events if isinstance(e, Token)) == "Hello there."
    kept = ConversationStore(tmp_path / "conversations.sqlite3").messages(cid)
    assert [m.role for m in kept] == ["user", "assistant"]
    assert kept[1].meta["no_passage"].startswith("Not from your documents: they cannot be read now")

    only = AskOptions(use_documents=True, collection="default", documents_only=True)
    answer = "".join(e.text for e in assistant.answers.ask(cid, "And in 2021?", only) if isinstance(e, Token))
    assert answer.startswith("Not from your documents: they cannot be read now") and "s3cret" not in answer
