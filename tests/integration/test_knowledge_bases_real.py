"""Separate knowledge bases with the real index and embedder, through the orchestrator and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from config.settings import Settings
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Sources
from core.ingest import Upload
from tests.conftest import ROOT
from tests.fakes import FakeLLM


def note(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return Upload(name, path=path)


def test_each_chat_answers_from_its_own_knowledge_base(tmp_path):
    llm = FakeLLM("embedded", ["Noted."])  # the named fake: this test is about which passages are used
    assistant = LocalAIAssistant(Settings(data_dir=tmp_path / "data"), llms={"embedded": llm})
    leases = assistant.library.create("Leases")
    list(
        assistant.library.ingest(
            [note(tmp_path, "office.md", "# Office lease\nThe office rent is 2,400 euros a month.")]
        )
    )
    list(
        assistant.library.ingest(
            [note(tmp_path, "garage.md", "# Garage lease\nThe garage rent is 95 euros.")], leases.id
        )
    )
    assert [d.name for d in assistant.library.documents()] == ["office.md"]
    assert [d.name for d in assistant.library.documents(leases.id)] == ["garage.md"]

    def sources(collection):
        chat = assistant.chats.new("a" * 32, collection)
        events = assistant.answers.ask(
            chat.id, "How much is the rent?", AskOptions(backend="embedded", collection=collection)
        )
        return [s.file for e in events if isinstance(e, Sources) for s in e.items]

    assert sources("default") == ["office.md"]
    assert sources(leases.id) == ["garage.md"]
    assert sources("") == []  # "None: answer without documents"

    chat = assistant.chats.new("a" * 32, leases.id)
    assistant.library.delete(leases.id)
    assert assistant.chats.get(chat.id).collection == ""  # the chat now answers without documents
    assert sources(leases.id) == []
    assert [d.name for d in assistant.library.documents()] == ["office.md"]  # the other one is untouched


def test_cli_takes_a_knowledge_base_by_name(tmp_path):
    env_data = str(tmp_path / "data")

    def cli(*args):
        return subprocess.run(
            [sys.executable, "cli.py", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "DATA_DIR": env_data},
        )

    doc = tmp_path / "boat.txt"
    doc.write_text("The sailing boat is moored at pier 14.", encoding="utf-8")
    added = cli("ingest", "--kb", "Boats", str(doc))
    assert added.returncode == 0 and 'Created the knowledge base "Boats"' in added.stderr
    found = cli("search", "--kb", "boats", "--json", "Where is the sailing boat moored?")
    assert json.loads(found.stdout.strip().splitlines()[-1])[0]["file"] == "boat.txt"
    missing = cli("search", "--kb", "Planes", "--json", "Where?")
    assert missing.returncode != 0 and 'No knowledge base called "Planes"' in missing.stderr
    default = cli("search", "--json", "Where is the sailing boat moored?")
    assert json.loads(default.stdout.strip().splitlines()[-1]) == []  # not in My documents
