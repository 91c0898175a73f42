"""The knowledge store contract, run on SQLite and on a real PostgreSQL + pgvector server."""

from __future__ import annotations

import numpy as np
import pytest

from errors import DocumentError
from storage.base import DocumentText, NewChunk

DIMS = 384


def vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIMS).astype(np.float32)
    return v / np.linalg.norm(v)


def chunks(doc: str, texts: list[str], seed: int = 0) -> list[NewChunk]:
    return [
        NewChunk(f"{doc}-{i}", i + 1, i + 1, t, f"heading {i + 1}", vector(seed + i))
        for i, t in enumerate(texts)
    ]


def text(pages: list[str], **kw) -> DocumentText:
    return DocumentText("A title", pages, {"company": "Acme"}, **kw)


def add(store, doc: str, pages: list[str], seed: int = 0) -> None:
    store.add(
        doc, f"{doc}.pdf", doc, 100, text(pages, empty_pages=[2], ocr_pages=[1]), chunks(doc, pages, seed)
    )


def test_add_lists_finds_and_reads_pages(open_store):
    store = open_store()
    assert store.documents() == [] and store.chunk_count() == 0
    add(store, "a" * 64, ["Net revenue rose.", "Gross margin fell."])
    add(store, "b" * 64, ["iPhone sales."], seed=10)
    first, second = store.documents()
    assert (first.name, first.title, first.pages, first.chunks, first.size_bytes) == (
        "a" * 64 + ".pdf",
        "A title",
        2,
        2,
        100,
    )
    assert (first.profile, first.empty_pages, first.ocr_pages, first.unit) == (
        {"company": "Acme"},
        [2],
        [1],
        "page",
    )
    assert second.chunks == 1 and store.chunk_count() == 3
    assert (
        store.find("b" * 64) == second and store.document("a" * 64) == first and store.find("c" * 64) is None
    )
    assert store.pages("a" * 64) == [(1, "Net revenue rose."), (2, "Gross margin fell.")]
    assert store.pages("a" * 64, 2, 5) == [(2, "Gross margin fell.")] and store.pages("a" * 64, 1, 1) == [
        (1, "Net revenue rose.")
    ]


def test_a_duplicate_is_refused_and_changes_nothing(open_store):
    store = open_store()
    add(store, "a" * 64, ["One page."])
    generation = store.generation()
    with pytest.raises(DocumentError, match="already in the knowledge base"):
        add(store, "a" * 64, ["Other text."])
    assert store.generation() == generation and store.pages("a" * 64) == [(1, "One page.")]


def test_the_unique_sha256_refuses_a_second_id_with_the_same_content(open_store):
    store = open_store()
    store.add("id-1", "one.pdf", "f" * 64, 1, text(["x"]), chunks("id-1", ["x"]))
    with pytest.raises(DocumentError, match="two.pdf is already in the knowledge base"):
        store.add("id-2", "two.pdf", "f" * 64, 1, text(["y"]), chunks("id-2", ["y"]))
    assert [d.id for d in store.documents()] == ["id-1"]


def test_delete_removes_pages_and_chunks_and_bumps_the_generation(open_store):
    store = open_store()
    add(store, "a" * 64, ["One.", "Two."])
    add(store, "b" * 64, ["Three."], seed=5)
    before = store.generation()
    store.delete("a" * 64)
    assert store.generation() > before
    assert [d.id for d in store.documents()] == ["b" * 64] and store.pages("a" * 64) == []
    rows = store.corpus_rows()
    assert [c.text for c in rows.chunks] == ["Three."] and rows.vectors.shape == (1, DIMS)


def test_every_write_changes_the_generation(open_store):
    store = open_store()
    seen = [store.generation()]
    add(store, "a" * 64, ["One.", "Two."])
    seen.append(store.generation())
    assert store.replace_chunks("a" * 64, {"company": "New"}, chunks("a" * 64, ["Only one."]))
    seen.append(store.generation())
    assert store.replace_document(
        "a" * 64, text(["Read again."], unit="section"), chunks("a" * 64, ["Read again."])
    )
    seen.append(store.generation())
    store.fill_profiles({"a" * 64: ({"company": "Filled"}, ["h"])})
    seen.append(store.generation())
    store.delete("a" * 64)
    seen.append(store.generation())
    assert len(set(seen)) == len(seen), seen


def test_rechunk_and_replace_swap_one_documents_rows(open_store):
    store = open_store()
    add(store, "a" * 64, ["One.", "Two."])
    add(store, "b" * 64, ["Other."], seed=9)
    other = store.document("b" * 64)
    assert store.replace_chunks("a" * 64, {"company": "Rechunked"}, chunks("a" * 64, ["One. Two."], seed=3))
    doc = store.document("a" * 64)
    assert doc is not None and (doc.chunks, doc.profile, doc.pages) == (1, {"company": "Rechunked"}, 2)
    assert store.replace_document(
        "a" * 64, text(["New text."], unit="section"), chunks("a" * 64, ["New text."])
    )
    doc = store.document("a" * 64)
    assert doc is not None and (doc.pages, doc.unit, doc.empty_pages) == (1, "section", [])
    assert store.pages("a" * 64) == [(1, "New text.")] and store.document("b" * 64) == other
    assert not store.replace_chunks("c" * 64, {}, []) and not store.replace_document(
        "c" * 64, text(["x"]), []
    )


def test_corpus_rows_keep_order_and_exact_vectors(open_store):
    store = open_store()
    add(store, "a" * 64, ["One.", "Two."], seed=1)
    add(store, "b" * 64, ["Three."], seed=7)
    rows = store.corpus_rows()
    assert rows.generation == store.generation()
    assert [(c.doc_id, c.file, c.page_start, c.text, c.context) for c in rows.chunks] == [
        ("a" * 64, "a" * 64 + ".pdf", 1, "One.", "heading 1"),
        ("a" * 64, "a" * 64 + ".pdf", 2, "Two.", "heading 2"),
        ("b" * 64, "b" * 64 + ".pdf", 1, "Three.", "heading 1"),
    ]
    assert rows.vectors.dtype == np.float32
    assert np.array_equal(rows.vectors, np.stack([vector(1), vector(2), vector(7)]))  # bit for bit
    assert [d.id for d in rows.documents] == ["a" * 64, "b" * 64]


def test_fill_profiles_gives_chunks_without_context_their_page_heading(open_store):
    store = open_store()
    bare = [NewChunk(f"c{i}", i + 1, i + 1, f"text {i}", "", vector(i)) for i in range(2)]
    store.add(
        "a" * 64, "a.pdf", "a" * 64, 1, DocumentText("", ["p1", "p2"], {}), bare + chunks("x", ["kept"])
    )
    store.fill_profiles({"a" * 64: ({"company": "Acme"}, ["First heading"])})
    assert [c.context for c in store.corpus_rows().chunks] == ["First heading", "", "heading 1"]
    assert store.document("a" * 64).profile == {"company": "Acme"}


class Exploding:
    """A vector that fails when it is written: an error in the middle of the transaction."""

    def astype(self, *_a, **_kw):
        raise RuntimeError("killed mid-write")

    def __array__(self, *_a, **_kw):
        raise RuntimeError("killed mid-write")


def test_a_failure_in_the_middle_of_an_add_leaves_nothing(open_store):
    store = open_store()
    add(store, "a" * 64, ["Kept."])
    generation = store.generation()
    broken = chunks("b" * 64, ["Fine."]) + [NewChunk("b-x", 2, 2, "Boom.", "", Exploding())]  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="killed mid-write"):
        store.add("b" * 64, "b.pdf", "b" * 64, 1, text(["Fine.", "Boom."]), broken)
    assert [d.id for d in store.documents()] == ["a" * 64] and store.pages("b" * 64) == []
    assert store.chunk_count() == 1 and store.generation() == generation
    add(store, "b" * 64, ["Fine."], seed=4)  # and it can be added afterwards
    assert store.chunk_count() == 2


def test_another_opening_sees_writes_at_once(open_store):
    writer, reader = open_store("shared"), open_store("shared")
    seen = reader.generation()
    add(writer, "a" * 64, ["Shared."])
    assert reader.generation() != seen and [d.id for d in reader.documents()] == ["a" * 64]
    assert open_store("other").documents() == []  # knowledge bases are separate
