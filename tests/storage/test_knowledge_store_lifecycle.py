"""More of the store contract, on SQLite and a real PostgreSQL: reading a document's chunks back
with their vectors (to copy it), keeping its added time, listing only unprofiled documents,
dropping a knowledge base, and two writers adding the same file at once."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from errors import DocumentError
from storage.base import DocumentText, NewChunk
from tests.storage.test_knowledge_store_contract import add, chunks, text, vector


def test_chunks_come_back_with_their_ids_contexts_and_exact_vectors(open_store):
    store = open_store()
    add(store, "a" * 64, ["One.", "Two."], seed=3)
    add(store, "b" * 64, ["Three."], seed=8)
    back = store.chunks("a" * 64)
    assert [(c.id, c.page_start, c.page_end, c.text, c.context) for c in back] == [
        ("a" * 64 + "-0", 1, 1, "One.", "heading 1"),
        ("a" * 64 + "-1", 2, 2, "Two.", "heading 2"),
    ]
    assert all(c.vector.dtype == np.float32 for c in back)
    assert np.array_equal(np.stack([c.vector for c in back]), np.stack([vector(3), vector(4)]))
    assert store.chunks("c" * 64) == []


def test_a_copied_document_keeps_its_added_time(open_store):
    store = open_store()
    store.add("a" * 64, "a.pdf", "a" * 64, 1, text(["x"]), chunks("a", ["x"]), added_at=1234.5)
    add(store, "b" * 64, ["y"])
    assert [d.added_at for d in store.documents()][0] == 1234.5
    assert store.documents()[1].added_at > time.time() - 60


def test_unprofiled_lists_only_documents_without_a_profile(open_store):
    store = open_store()
    add(store, "a" * 64, ["Profiled."])
    store.add("b" * 64, "b.pdf", "b" * 64, 1, DocumentText("", ["Old."], {}), chunks("b", ["Old."]))
    store.add("c" * 64, "c.pdf", "c" * 64, 1, DocumentText("", ["Older."], {}), chunks("c", ["Older."]))
    assert [d.id for d in store.unprofiled()] == ["b" * 64, "c" * 64]
    store.fill_profiles({"b" * 64: ({"company": "Filled"}, ["h"])})
    assert [d.id for d in store.unprofiled()] == ["c" * 64]


def test_drop_destroys_one_knowledge_base_and_no_other(open_store):
    doomed, kept = open_store("doomed"), open_store("kept")
    add(doomed, "a" * 64, ["Gone soon."])
    add(kept, "b" * 64, ["Stays."])
    doomed.drop()
    assert open_store("doomed").documents() == []  # opened again: a new, empty knowledge base
    assert [d.id for d in kept.documents()] == ["b" * 64] and kept.chunk_count() == 1


def test_drop_removes_the_sqlite_file(tmp_path):
    from storage.sqlite.knowledge_store import SqliteKnowledgeStore

    store = SqliteKnowledgeStore(tmp_path)
    add(store, "a" * 64, ["x"])
    assert store.path.exists()
    store.drop()
    assert list(tmp_path.iterdir()) == []


def test_drop_removes_the_postgres_schema(pg_url):
    import uuid

    import psycopg

    from storage.postgres.knowledge_store import PostgresKnowledgeStore

    store = PostgresKnowledgeStore(pg_url, uuid.uuid4().hex[:12])
    add(store, "a" * 64, ["x"])

    def schemas() -> set[str]:
        with psycopg.connect(pg_url) as db:
            return {r[0] for r in db.execute("SELECT nspname FROM pg_namespace").fetchall()}

    assert store.schema in schemas()
    store.drop()
    assert store.schema not in schemas()
    store.drop()  # twice is harmless


def test_another_opening_of_a_dropped_postgres_knowledge_base_says_it_was_deleted(pg_url):
    import uuid

    from errors import StorageError
    from storage.postgres.knowledge_store import PostgresKnowledgeStore

    collection = uuid.uuid4().hex[:12]
    mine, theirs = PostgresKnowledgeStore(pg_url, collection), PostgresKnowledgeStore(pg_url, collection)
    add(theirs, "a" * 64, ["x"])
    mine.drop()
    with pytest.raises(StorageError, match="was deleted"):
        theirs.documents()


class SlowVector:
    """A vector whose writing signals ``started`` and then takes a while: the first writer is
    mid-transaction (its document row written, not committed) when the second one starts."""

    def __init__(self, value: np.ndarray, started: threading.Event):
        self.value, self.started = value, started

    def _slowly(self) -> np.ndarray:
        self.started.set()
        time.sleep(0.5)
        return self.value

    def astype(self, dtype, *_a, **_kw) -> np.ndarray:
        return self._slowly().astype(dtype)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        return self._slowly() if dtype is None else self._slowly().astype(dtype)


def test_two_writers_adding_the_same_file_at_once_store_one_copy(open_store):
    first, second = open_store("race"), open_store("race")  # two openings: two processes' views
    started = threading.Event()
    slow = [NewChunk("s-0", 1, 1, "Same file.", "", SlowVector(vector(1), started))]  # type: ignore[arg-type]
    outcome: dict[str, object] = {}

    def write(who: str, store, new_chunks) -> None:
        try:
            store.add("s" * 64, f"{who}.pdf", "s" * 64, 10, text(["Same file."]), new_chunks)
            outcome[who] = "added"
        except DocumentError as e:
            outcome[who] = str(e)

    one = threading.Thread(target=write, args=("one", first, slow))
    one.start()
    assert started.wait(10) and one.is_alive()
    write("two", second, chunks("s" * 64, ["Same file."]))  # while the first is mid-transaction
    one.join(30)
    assert outcome == {"one": "added", "two": "two.pdf is already in the knowledge base."}
    assert [d.name for d in second.documents()] == ["one.pdf"] and second.chunk_count() == 1


class NoFullList:
    """A store that refuses to list every document: opening must ask only for unprofiled ones."""

    def __init__(self, store):
        self.store = store

    def __getattr__(self, name):
        return getattr(self.store, name)

    def documents(self):
        raise AssertionError("listed every document")


def test_opening_a_knowledge_base_profiles_old_documents_without_listing_all(open_store, tmp_path):
    from retrieval.knowledge_base import KnowledgeBase
    from tests.fakes import FakeEmbedder

    store = open_store()
    add(store, "a" * 64, ["Profiled."])
    store.add(
        "b" * 64, "b.pdf", "b" * 64, 1, DocumentText("", ["NVIDIA CORPORATION"], {}), chunks("b", ["x"])
    )
    KnowledgeBase(tmp_path / "kb", FakeEmbedder(), store=NoFullList(store))  # type: ignore[arg-type]
    assert store.unprofiled() == [] and store.document("b" * 64).profile != {}
