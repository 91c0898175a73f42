"""Knowledge base storage, dedupe, deletion, persistence and hybrid ranking, with FakeEmbedder."""

from __future__ import annotations

import threading

import pytest

from documents.pdf_processor import ExtractedDocument
from errors import DocumentError
from retrieval.knowledge_base import KnowledgeBase
from tests.fakes import FakeEmbedder

INTEL = [
    "Intel quarterly report",
    "Net revenue was $14,158 million in the third quarter.",
    "Gross margin 42.5%.",
]
APPLE = ["Apple annual report", "iPhone sales grew strongly across regions.", "Services revenue rose."]


@pytest.fixture(scope="module")
def embedder():
    return FakeEmbedder()


def kb_at(path, embedder, min_relevance=0.0, **kw) -> KnowledgeBase:
    """A knowledge base on FakeEmbedder, whose similarities are not on MiniLM's scale: the relevance
    gate is off unless a test sets it."""
    return KnowledgeBase(path, embedder, chunk_tokens=20, overlap_tokens=2, min_relevance=min_relevance, **kw)


def test_add_list_search_with_page_numbers(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder)
    assert kb.is_empty() and kb.search("anything", 3) == []
    doc = kb.add_document("intel.pdf", "a" * 64, 1234, ExtractedDocument(INTEL, title="Intel 10-Q"))
    kb.add_document("apple.pdf", "b" * 64, 999, ExtractedDocument(APPLE))
    assert (doc.name, doc.pages, doc.size_bytes) == ("intel.pdf", 3, 1234) and doc.chunks >= 1
    assert [d.name for d in kb.documents()] == ["intel.pdf", "apple.pdf"]
    hits = kb.search("What was the net revenue in the quarter?", 2)
    assert hits[0].file == "intel.pdf" and hits[0].page_start <= 2 <= hits[0].page_end
    assert "14,158" in hits[0].text
    assert hits[0].score == pytest.approx(1.0) or hits[0].score >= hits[-1].score
    assert set(hits[0].as_json()) == {
        "file",
        "page_start",
        "page_end",
        "score",
        "label",
        "text",
        "ocr",
        "unit",
    }


def test_same_content_is_not_indexed_twice(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder)
    kb.add_document("intel.pdf", "a" * 64, 1, ExtractedDocument(INTEL))
    with pytest.raises(DocumentError, match="already in the knowledge base"):
        kb.add_document("copy-of-intel.pdf", "a" * 64, 1, ExtractedDocument(INTEL))
    assert len(kb.documents()) == 1
    assert kb.find("a" * 64).name == "intel.pdf"


def test_delete_removes_vectors_and_keywords(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder)
    intel = kb.add_document("intel.pdf", "a" * 64, 1, ExtractedDocument(INTEL))
    kb.add_document("apple.pdf", "b" * 64, 1, ExtractedDocument(APPLE))
    kb.delete_document(intel.id)
    assert [d.name for d in kb.documents()] == ["apple.pdf"]
    assert all(h.file == "apple.pdf" for h in kb.search("Intel net revenue 14,158", 5))


def test_persists_and_other_instances_see_changes(tmp_path, embedder):
    first = kb_at(tmp_path, embedder)
    first.add_document("intel.pdf", "a" * 64, 1, ExtractedDocument(INTEL, [2]))
    second = kb_at(tmp_path, embedder)  # e.g. the app after a restart, or another process
    assert second.documents()[0].empty_pages == [2]
    assert second.search("gross margin", 1)[0].file == "intel.pdf"
    first.add_document("apple.pdf", "b" * 64, 1, ExtractedDocument(APPLE))
    assert second.search("iPhone sales", 1)[0].file == "apple.pdf"  # generation changed: rebuilt


def test_unrelated_question_gets_no_passages(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder, min_relevance=0.3)
    kb.add_document("intel.pdf", "a" * 64, 1, ExtractedDocument(INTEL))
    assert kb.search("zebra giraffe savannah", 3) == []


def test_reindex_uses_new_chunk_settings(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder)
    kb.add_document("intel.pdf", "a" * 64, 1, ExtractedDocument([" ".join(f"word{i}" for i in range(200))]))
    before = kb.documents()[0].chunks
    kb.chunk_tokens = 60
    assert kb.reindex() < before
    assert kb.documents()[0].chunks < before


def test_two_sessions_adding_at_once_keep_both(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder)
    errors = []

    def add(name, sha, pages):
        try:
            kb.add_document(name, sha, 1, ExtractedDocument(pages))
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)

    threads = [
        threading.Thread(target=add, args=(f"doc{i}.pdf", f"{i:064d}", [f"subject{i} notes"] * 3))
        for i in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(d.name for d in kb.documents()) == [f"doc{i}.pdf" for i in range(6)]
    assert kb.search("subject4 notes", 1)[0].file == "doc4.pdf"


def test_documents_from_an_earlier_release_get_profiles_and_headings_on_open(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder)
    cover = "\n".join(
        [
            "FORM 10-Q",
            "For the quarterly period ended April 30, 2023",
            "NVIDIA CORPORATION",
            "(Exact name of registrant)",
        ]
    )
    table = "Condensed Consolidated Statements of Income\nRevenue $ 7,192 $ 8,288"
    kb.add_document("nvda.pdf", "c" * 64, 1, ExtractedDocument([cover, table]))
    with kb.store.connect() as db:  # as an earlier release left it: no profile, no headings
        db.execute("UPDATE documents SET profile = '{}'")
        db.execute("UPDATE chunks SET context = ''")
    reopened = kb_at(tmp_path, embedder)
    hit = next(h for h in reopened.search("NVIDIA revenue", 5) if h.page_start == 2)
    assert hit.label.startswith("Nvidia Corporation, 10-Q") and "Statements of Income" in hit.context


def test_replacing_one_document_swaps_its_pages_and_chunks_and_leaves_the_others(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder)
    intel = kb.add_document("intel.pdf", "a" * 64, 1, ExtractedDocument(INTEL, [3]))
    kb.add_document("apple.pdf", "b" * 64, 1, ExtractedDocument(APPLE))
    apple_before = kb.documents()[1]
    read_again = ExtractedDocument(
        ["Intel quarterly report", "Net revenue was $15,000 million."], title="Intel"
    )
    replaced = kb.replace_document(intel.id, read_again)
    assert replaced is not None and (replaced.id, replaced.name, replaced.pages) == (intel.id, "intel.pdf", 2)
    assert replaced.empty_pages == [] and replaced.chunks >= 1
    assert kb.pages(intel.id) == [(1, "Intel quarterly report"), (2, "Net revenue was $15,000 million.")]
    assert kb.pages(intel.id, 2, 5) == [(2, "Net revenue was $15,000 million.")]
    assert kb.documents()[1] == apple_before
    hits = kb.search("Intel net revenue", 5)
    assert any("15,000" in h.text for h in hits) and not any("14,158" in h.text for h in hits)
    assert kb.replace_document("f" * 64, read_again) is None
    with pytest.raises(DocumentError, match="no text"):
        kb.replace_document(intel.id, ExtractedDocument(["", ""]))
    assert kb.pages(intel.id)[1][1] == "Net revenue was $15,000 million."  # unchanged by the failure


def test_rechunk_replaces_one_documents_passages_and_knows_a_removed_one(tmp_path, embedder):
    kb = kb_at(tmp_path, embedder)
    words = ExtractedDocument([" ".join(f"word{i}" for i in range(200))])
    intel = kb.add_document("intel.pdf", "a" * 64, 1, words)
    apple = kb.add_document("apple.pdf", "b" * 64, 1, ExtractedDocument(APPLE))
    apple_chunks = kb.document(apple.id).chunks
    kb.chunk_tokens = 60
    seen: list[tuple[int, int]] = []
    count = kb.rechunk(intel.id, lambda done, total: seen.append((done, total)))
    assert count == kb.document(intel.id).chunks < intel.chunks
    assert seen and seen[-1] == (count, count)  # embedding progress, to the last passage
    assert kb.document(apple.id).chunks == apple_chunks  # the other is untouched
    assert kb.search("word150", 1)[0].file == "intel.pdf"
    kb.delete_document(intel.id)
    assert kb.rechunk(intel.id) is None
