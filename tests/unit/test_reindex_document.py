"""Re-indexing one document from its kept original (core/library.py ``reindex_document``), and
reading its pages back (``document_pages``): real readers, FakeEmbedder instead of MiniLM."""

from __future__ import annotations

import pytest

from config.settings import Settings
from core.assistant import LocalAIAssistant
from core.events import IngestResult
from core.ingest import Upload
from errors import OriginalMissing
from retrieval.knowledge_base import KnowledgeBase
from storage.conversations import ConversationStore
from tests.fakes import FakeEmbedder
from tests.pdf_maker import text_pdf

HANDBOOK = b"# Travel\n\nThe bicycle scheme is worth 300 euros a year.\n\n# Leave\n\nEveryone has 25 days.\n"


@pytest.fixture
def library(tmp_path):
    settings = Settings(data_dir=tmp_path / "data")
    kb = KnowledgeBase(tmp_path / "kb", FakeEmbedder(), chunk_tokens=200, overlap_tokens=20)
    return LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {}, kb).library


def add(library, *uploads: Upload) -> dict[str, object]:
    results = [r for r in library.ingest(list(uploads)) if isinstance(r, IngestResult)]
    assert all(r.ok for r in results), results
    return {d.name: d for d in library.documents()}


def test_a_document_is_read_again_from_its_original_with_todays_settings(library, tmp_path):
    docs = add(
        library,
        Upload("memo.pdf", data=text_pdf(["Quarterly memo", "Revenue rose to 12 million dollars."])),
        Upload("handbook.md", data=HANDBOOK),
    )
    memo, handbook = docs["memo.pdf"], docs["handbook.md"]
    assert (tmp_path / "kb" / "originals" / f"{handbook.id}.md").is_file()  # every kind is kept
    assert [p.label for p in library.document_pages(handbook.id)] == ["section 1", "section 2"]
    with library.knowledge_base.store.connect() as db:  # as if read by an older reader
        db.execute("UPDATE pages SET text = 'stale' WHERE doc_id = ?", (handbook.id,))
    library.knowledge_base.chunk_tokens, library.knowledge_base.overlap_tokens = 8, 2
    again = library.reindex_document(handbook.id)
    assert again is not None and again.id == handbook.id and again.unit == "section"
    assert again.chunks > handbook.chunks  # the new chunk size
    pages = library.document_pages(handbook.id)
    assert "bicycle scheme" in pages[0].text and "25 days" in pages[1].text
    assert [d.chunks for d in library.documents() if d.id == memo.id] == [memo.chunks]  # not touched
    assert library.document_pages(memo.id)[0].label == "p. 1"
    assert library.document_pages(handbook.id, first=2, count=1)[0].number == 2
    assert library.reindex_document("0" * 64) is None
    assert library.document_pages("0" * 64) == []


def test_no_original_kept_or_a_changed_one_is_a_clear_error_and_changes_nothing(library, tmp_path):
    docs = add(library, Upload("handbook.md", data=HANDBOOK), Upload("notes.txt", data=b"Alpha beta.\n"))
    handbook, notes = docs["handbook.md"], docs["notes.txt"]
    (tmp_path / "kb" / "originals" / f"{handbook.id}.md").unlink()
    with pytest.raises(OriginalMissing, match="not kept.*upload it again"):
        library.reindex_document(handbook.id)
    (tmp_path / "kb" / "originals" / f"{notes.id}.txt").write_bytes(b"Something else.\n")
    with pytest.raises(OriginalMissing, match="no longer the file"):
        library.reindex_document(notes.id)
    assert {d.name: d for d in library.documents()} == docs
    library.delete_document(notes.id)
    assert not (tmp_path / "kb" / "originals" / f"{notes.id}.txt").exists()
