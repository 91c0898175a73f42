"""Ingestion results and progress (real PDF extraction, FakeEmbedder instead of MiniLM)."""

from __future__ import annotations

import pytest
from pypdf import PdfWriter

from config.settings import Settings
from core.events import IngestProgress, IngestResult
from core.ingest import Upload, ingest
from retrieval.knowledge_base import KnowledgeBase
from tests.conftest import SHARED
from tests.fakes import FakeEmbedder

INTC = SHARED / "data" / "rag-dev" / "pdfs" / "2023 Q3 INTC.pdf"
BROKEN = SHARED / "data" / "badpdfs" / "378014596.pdf"


@pytest.fixture
def kb(tmp_path):
    return KnowledgeBase(tmp_path / "kb", FakeEmbedder(), chunk_tokens=200, overlap_tokens=20)


def run(kb, uploads, **settings):
    events = list(ingest(kb, uploads, Settings(**settings)))
    return [e for e in events if isinstance(e, IngestProgress)], [
        e for e in events if isinstance(e, IngestResult)
    ]


def test_progress_per_page_and_chunk_then_a_summary(kb):
    progress, results = run(kb, [Upload("intel.pdf", data=INTC.read_bytes())])
    reading = [p for p in progress if p.stage == "reading"]
    assert [p.done for p in reading] == list(range(1, 55)) and reading[-1].total == 54
    assert any(p.stage == "embedding" for p in progress)
    (result,) = results
    assert result.ok and result.pages == 54 and result.chunks > 50
    assert result.message.startswith("intel.pdf: 54 pages,") and " passages in " in result.message


def test_a_bad_file_does_not_stop_the_others_or_touch_the_knowledge_base(kb):
    _, results = run(kb, [Upload("broken.pdf", path=BROKEN), Upload("intel.pdf", path=INTC)])
    assert [(r.file, r.ok) for r in results] == [("broken.pdf", False), ("intel.pdf", True)]
    assert "broken.pdf: the file is damaged" in results[0].message
    assert [d.name for d in kb.documents()] == ["intel.pdf"]


def test_same_content_twice_is_skipped(kb):
    run(kb, [Upload("intel.pdf", path=INTC)])
    _, results = run(kb, [Upload("copy.pdf", data=INTC.read_bytes())])
    assert results[0].ok and "already in the knowledge base (as intel.pdf)" in results[0].message
    assert len(kb.documents()) == 1


def test_upload_over_the_size_limit(kb):
    _, results = run(kb, [Upload("intel.pdf", path=INTC)], max_upload_mb=0)
    assert not results[0].ok and "the limit is 0 MB" in results[0].message
    assert kb.documents() == []


def test_password_protected_file_asks_for_its_password(kb, tmp_path):
    writer = PdfWriter(clone_from=INTC)
    writer.encrypt(user_password="hunter2", owner_password="owner")
    locked = tmp_path / "locked.pdf"
    with open(locked, "wb") as f:
        writer.write(f)
    _, results = run(kb, [Upload("locked.pdf", path=locked)])
    assert results[0].needs_password and "password-protected" in results[0].message
    _, results = run(kb, [Upload("locked.pdf", path=locked, password="wrong")])
    assert results[0].needs_password and "wrong" in results[0].message
    _, results = run(kb, [Upload("locked.pdf", path=locked, password="hunter2")])
    assert results[0].ok and results[0].pages == 54


def test_the_next_file_is_read_while_the_current_one_is_embedded(kb, monkeypatch):
    import threading

    import core.ingest

    read_done: dict[str, threading.Event] = {"first.pdf": threading.Event(), "second.pdf": threading.Event()}
    real_read = core.ingest.read_document

    def read_and_tell(path, name, *args, **kwargs):  # the real reader, recording when it finished
        document = real_read(path, name, *args, **kwargs)
        read_done[name].set()
        return document

    monkeypatch.setattr(core.ingest, "read_document", read_and_tell)
    seen_while_embedding_first = []
    real_add = kb.add_document

    def add_and_watch(name, *args, **kwargs):
        if name == "first.pdf":  # while this one is embedded, the second one gets read
            seen_while_embedding_first.append(read_done["second.pdf"].wait(30))
        return real_add(name, *args, **kwargs)

    monkeypatch.setattr(kb, "add_document", add_and_watch)
    uploads = [Upload("first.pdf", path=INTC), Upload("second.pdf", data=_one_page_changed(INTC))]
    progress, results = run(kb, uploads)
    assert seen_while_embedding_first == [True]
    assert [(r.file, r.ok) for r in results] == [("first.pdf", True), ("second.pdf", True)]
    second = [p.done for p in progress if p.file == "second.pdf" and p.stage == "reading"]
    assert second == list(range(1, 55))  # its progress is still reported, once it is its turn
    assert [d.name for d in kb.documents()] == ["first.pdf", "second.pdf"]


def _one_page_changed(pdf) -> bytes:
    """The same filing with different bytes (so it is not skipped as a copy)."""
    import io

    writer = PdfWriter(clone_from=pdf)
    writer.add_metadata({"/Title": "another copy"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_file_of_another_kind_is_refused_in_words():
    from core.library import Library

    reason = Library.refusal("Quarterly deck.ppt")
    assert reason is not None and reason.startswith("Quarterly deck.ppt was not added: old PowerPoint slides")
    assert Library.refusal("Quarterly deck.pptx") is None  # read since issue 25
    assert reason.endswith(
        "The knowledge base reads .pdf, .docx, .html, .htm, .md, .markdown, .txt, .csv, "
        ".tsv, .xlsx, .xlsm, .xls, .pptx, .ipynb, .json, .xml, .epub, .eml, .msg and .zip files."
    )
    assert Library.refusal("report.PDF") is None
