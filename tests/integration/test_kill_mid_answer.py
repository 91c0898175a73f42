"""kill -9 during an answer loses nothing already said (SQLite commits per message)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from storage.conversations import ConversationStore
from tests.conftest import ROOT


def test_kill_during_an_answer_keeps_earlier_messages(tmp_path):
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    earlier = store.create("Earlier chat")
    store.add_message(earlier.id, "user", "first question")
    store.add_message(earlier.id, "assistant", "first answer")

    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "OLLAMA_BASE_URL": "http://127.0.0.1:9",
        "MAX_ANSWER_TOKENS": "400",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "cli.py",
            "ask",
            "--backend",
            "embedded",
            "Write a long story of about 300 words about a lighthouse keeper.",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    os.set_blocking(proc.stdout.fileno(), False)
    deadline, seen = time.time() + 60, b""
    while time.time() < deadline and len(seen.split()) < 5:  # the answer is being written
        time.sleep(0.2)
        seen += proc.stdout.read() or b""
    assert len(seen.split()) >= 5, "the answer never started"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    with sqlite3.connect(tmp_path / "conversations.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    after = ConversationStore(tmp_path / "conversations.sqlite3")
    assert [(m.role, m.content) for m in after.messages(earlier.id)] == [
        ("user", "first question"),
        ("assistant", "first answer"),
    ]
    killed = next(c for c in after.list() if c.id != earlier.id)
    assert [m.content for m in after.messages(killed.id)] == [
        "Write a long story of about 300 words about a lighthouse keeper."
    ]
