"""LocalAIAssistant builds the capability objects the page, the CLI and the benches call, and
wires them together; it does nothing else.

- ``chats``: conversations (core/chats.py)
- ``library``: knowledge bases and their documents (core/library.py)
- ``answers``: ask -> events, head starts, warm-up (core/answers/)
- ``voice``: speech in and out (core/voice/)
- ``engines``: the language-model backends (core/engines.py)
- ``ingest_jobs``: adding documents in the background (core/ingest_jobs.py)
- ``api_keys``: the HTTP API's keys (core/api_keys.py)
- ``folders``: knowledge bases that follow a folder (core/folder_sync.py, core/folder_watch.py)
"""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings
from core.answers.answerer import Answers
from core.api_keys import ApiKeys
from core.chats import Chats
from core.engines import Engines
from core.folder_sync import FolderSync
from core.ingest_jobs import IngestJobs
from core.library import Library, Retriever
from core.options import AskOptions
from core.voice.speech import Speech
from errors import StorageError
from models.llm_base import LLM
from storage.audio_store import AudioStore
from storage.conversations import Conversations, ConversationStore

__all__ = ["AskOptions", "LocalAIAssistant"]


class LocalAIAssistant:
    """The app's capabilities, built once per process from the settings."""

    def __init__(
        self,
        settings: Settings,
        store: Conversations | None = None,
        llms: dict[str, LLM] | None = None,
        knowledge_base: Retriever | None = None,
    ):
        """``store``, ``llms`` and ``knowledge_base`` replace what the settings would open (tests
        pass named fakes; benches pass a knowledge base of their own)."""
        self.settings = settings
        self.storage_problem = ""  # the database in DATABASE_URL could not be reached at start
        try:
            conversations = store or open_conversations(settings)
        except StorageError as e:
            conversations = ConversationStore(settings.db_path)
            self.storage_problem = (
                f"{e} Until the app is restarted with it reachable, chats are kept on this computer "
                "and answers use no documents."
            )
        audio = AudioStore(Path(settings.data_dir) / "audio", settings.max_audio_storage_mb * 2**20)
        self.engines = Engines(settings, llms)
        self.chats = Chats(settings, conversations, audio)
        self.library = Library(settings, conversations, knowledge_base)
        self.ingest_jobs = IngestJobs(self.library)
        self.folders = FolderSync(self.library, self.ingest_jobs)
        self.voice = Speech(settings, audio)
        self.api_keys = ApiKeys(Path(settings.data_dir), lambda: self.library.collections)
        self.answers = Answers(settings, self.chats, self.library, self.engines, self.voice)


def open_conversations(settings: Settings) -> Conversations:
    """Where the chats are kept: in PostgreSQL when ``settings.database_url`` is set (shared by
    every app process using that database), else in SQLite at ``settings.db_path``."""
    if settings.database_url:
        from storage.postgres.conversations import PostgresConversationStore

        return PostgresConversationStore(settings.database_url)
    return ConversationStore(settings.db_path)
