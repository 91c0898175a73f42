"""API keys (core/api_keys.py over storage/api_keys.py): shown once, kept hashed, limited to
knowledge bases, revocable; and the ``cli.py api-key`` commands."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from config.settings import Settings
from core.assistant import LocalAIAssistant
from entries.cli import main
from errors import UserInputError


def keys(tmp_path):
    return LocalAIAssistant(Settings(data_dir=tmp_path)).api_keys


def test_a_key_is_kept_only_as_its_sha256_and_verifies(tmp_path):
    api_keys = keys(tmp_path)
    key, record = api_keys.create("laptop")
    assert key.startswith("la-") and len(key) > 40 and record.name == "laptop"
    rows = sqlite3.connect(tmp_path / "api_keys.sqlite3").execute("SELECT * FROM api_keys").fetchall()
    assert key not in repr(rows) and hashlib.sha256(key.encode()).hexdigest() in repr(rows)
    assert api_keys.verify(key).name == "laptop"
    assert api_keys.verify(key + "x") is None and api_keys.verify("la-nothing") is None
    assert api_keys.verify("") is None


def test_two_keys_differ_and_names_are_unique(tmp_path):
    api_keys = keys(tmp_path)
    first, _ = api_keys.create("a")
    second, _ = api_keys.create("b")
    assert first != second
    with pytest.raises(UserInputError, match="already a key"):
        api_keys.create("A")
    with pytest.raises(UserInputError, match="name is"):
        api_keys.create("no spaces please")


def test_revoked_keys_no_longer_verify(tmp_path):
    api_keys = keys(tmp_path)
    key, _ = api_keys.create("old")
    assert api_keys.exist()
    api_keys.revoke("old")
    assert api_keys.verify(key) is None and not api_keys.exist()
    with pytest.raises(UserInputError, match="no key"):
        api_keys.revoke("old")


def test_a_key_limited_to_knowledge_bases_names_them_by_id(tmp_path):
    assistant = LocalAIAssistant(Settings(data_dir=tmp_path))
    contracts = assistant.library.create("Contracts")
    key, record = assistant.api_keys.create("lawyer", ["contracts"])
    assert record.knowledge_bases == (contracts.id,)
    assert record.may_use(contracts.id) and not record.may_use("default")
    assistant.library.rename(contracts.id, "Agreements")  # a rename keeps the key's access
    assert assistant.api_keys.verify(key).may_use(contracts.id)
    with pytest.raises(UserInputError, match="No knowledge base"):
        assistant.api_keys.create("x", ["nope"])


def test_cli_creates_lists_and_revokes(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["api-key", "create", "editor"]) == 0
    out = capsys.readouterr()
    key = out.out.strip()
    assert key.startswith("la-") and "shown only this once" in out.err
    assert main(["api-key", "list"]) == 0
    listed = capsys.readouterr().out
    assert "editor" in listed and "all knowledge bases" in listed and key not in listed
    assert main(["api-key", "revoke", "editor"]) == 0
    assert keys(tmp_path).verify(key) is None
    assert main(["api-key", "revoke", "editor"]) == 1  # said on stderr, not a traceback
    assert "no key" in capsys.readouterr().err
