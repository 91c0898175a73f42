"""Separate knowledge bases: names, folders, and deleting one never touching another."""

from __future__ import annotations

import pytest

from errors import UserInputError
from storage.collections import DEFAULT, CollectionStore


def make(tmp_path):
    return CollectionStore(tmp_path, tmp_path / "kb")


def test_my_documents_is_the_earlier_knowledge_base_and_comes_first(tmp_path):
    store = make(tmp_path)
    store.create("Contracts")
    assert [c.name for c in store.list()] == ["My documents", "Contracts"]
    assert store.directory(DEFAULT) == tmp_path / "kb"


def test_names_are_unique_trimmed_and_bounded(tmp_path):
    store = make(tmp_path)
    contracts = store.create("  Contracts   2024 ")
    assert contracts.name == "Contracts 2024" and store.find("contracts 2024") == contracts
    with pytest.raises(UserInputError, match='already a knowledge base called "Contracts 2024"'):
        store.create("CONTRACTS 2024")
    with pytest.raises(UserInputError, match="Give the knowledge base a name"):
        store.create("   ")
    with pytest.raises(UserInputError, match="at most 60 characters"):
        store.create("x" * 61)
    store.rename(contracts.id, "Leases")
    assert store.get(contracts.id).name == "Leases"


def test_deleting_one_removes_its_folder_only(tmp_path):
    store = make(tmp_path)
    a, b = store.create("A"), store.create("B")
    for c in (a, b):
        store.directory(c.id).mkdir(parents=True)
        (store.directory(c.id) / "kb.sqlite3").write_bytes(b"index")
    store.delete(a.id)
    assert store.get(a.id) is None and not store.directory(a.id).exists()
    assert (store.directory(b.id) / "kb.sqlite3").exists()
    with pytest.raises(UserInputError, match="cannot be deleted"):
        store.delete(DEFAULT)


def test_an_id_is_never_a_path(tmp_path):
    with pytest.raises(ValueError):
        make(tmp_path).directory("../../etc")
