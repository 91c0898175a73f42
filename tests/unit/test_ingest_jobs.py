"""Background ingest jobs (core/ingest_jobs.py) with a named fake library: order, states, notices."""

from __future__ import annotations

import threading

from core.events import IngestProgress, IngestResult
from core.ingest import Upload, reindex
from core.ingest_jobs import IngestJobs
from errors import UserInputError


class FakeLibrary:
    """Adds nothing: reports a page and a result per file, and waits at ``gate`` (if set) first."""

    def __init__(self, gate: threading.Event | None = None):
        self.gate = gate
        self.log: list[str] = []

    @staticmethod
    def refusal(name: str) -> str | None:
        return f"{name} was not added: slides are not read." if name.endswith(".pptx") else None

    def ingest(self, uploads, collection):
        for upload in uploads:
            self.log.append(f"start {upload.name}")
            yield IngestProgress(upload.name, "reading", 1, 2)
            if self.gate is not None:
                self.gate.wait(10)
            if upload.name == "dup.pdf":
                yield IngestResult(
                    upload.name, True, "dup.pdf is already in the knowledge base", skipped=True
                )
            elif upload.name == "locked.pdf":
                yield IngestResult(
                    upload.name, False, "locked.pdf is password-protected.", needs_password=True
                )
            elif upload.name == "gone.pdf":
                raise UserInputError("That knowledge base no longer exists; choose another one.")
            else:
                yield IngestResult(upload.name, True, f"{upload.name}: 2 pages, 3 passages", 2, 3)
            self.log.append(f"end {upload.name}")


def _upload(name: str) -> Upload:
    return Upload(name, data=b"%PDF-")


def test_a_job_runs_in_the_background_and_says_what_each_file_did():
    gate = threading.Event()
    jobs = IngestJobs(FakeLibrary(gate))
    job = jobs.start("kb", [_upload("a.pdf"), _upload("dup.pdf"), _upload("locked.pdf")], owner="me")
    assert jobs.running("me") and not jobs.running("someone else")
    assert jobs.of("kb", "me") == [job] and jobs.of("kb", "other") == [] and jobs.of("kb2", "me") == []
    gate.set()
    assert job.finished.wait(10)
    assert [f.state for f in job.files] == ["done", "skipped", "failed"]
    assert [f.ok for f in job.files] == [True, True, False]
    assert job.summary == "1 added, 1 already there, 1 not added"
    assert job.files[0].status == "a.pdf: 2 pages, 3 passages"
    assert list(job.locked) == ["locked.pdf"]  # kept for its password
    assert jobs.unnoticed("me") == [job] and jobs.unnoticed("me") == []  # one notice
    again = jobs.unlock(job.id, "locked.pdf", "secret", owner="me")
    assert again is not None and again.id != job.id and job.dismissed  # its only open point went
    assert again.finished.wait(10)


def test_two_uploads_to_one_knowledge_base_queue_and_never_interleave():
    gate = threading.Event()
    library = FakeLibrary(gate)
    jobs = IngestJobs(library)
    first = jobs.start("kb", [_upload("a.pdf"), _upload("b.pdf")])
    second = jobs.start("kb", [_upload("c.pdf")])
    assert second.summary == "1 file waiting for the upload before them"
    deck = jobs.start("kb", [_upload("deck.pptx")])
    assert (
        deck.files[0].state == "failed"
        and deck.files[0].status == "deck.pptx was not added: slides are not read."
    )
    assert second.files[0].status == "waiting"
    gate.set()
    assert first.finished.wait(10) and second.finished.wait(10)
    assert deck.finished.wait(10) and deck.summary == "1 not added"
    assert library.log == ["start a.pdf", "end a.pdf", "start b.pdf", "end b.pdf", "start c.pdf", "end c.pdf"]


def test_progress_reads_as_words_while_a_file_is_added():
    gate = threading.Event()
    jobs = IngestJobs(FakeLibrary(gate))
    job = jobs.start("kb", [_upload("a.pdf")])
    for _ in range(200):
        if job.files[0].state == "reading":
            break
        threading.Event().wait(0.01)
    assert job.files[0].status == "reading page 1 of 2" and job.summary == "Adding a.pdf"
    jobs.dismiss(job.id)
    assert not job.dismissed  # a running job keeps its row
    gate.set()
    assert job.finished.wait(10)
    jobs.dismiss(job.id)
    assert jobs.of("kb") == []


def test_a_knowledge_base_deleted_meanwhile_fails_the_rest_in_words():
    jobs = IngestJobs(FakeLibrary())
    job = jobs.start("kb", [_upload("gone.pdf"), _upload("b.pdf")])
    assert job.finished.wait(10)
    assert [f.state for f in job.files] == ["failed", "failed"]
    assert (
        job.files[1].message
        == "b.pdf was not added: That knowledge base no longer exists; choose another one."
    )
    assert job.summary == "2 not added"


class KnowledgeBaseLibrary:
    """A named stand-in for core.library.Library over one real knowledge base (SQLite, FakeEmbedder
    vectors): its re-index goes through core.ingest.reindex as the app's does."""

    def __init__(self, kb):
        self.kb = kb

    def documents(self, collection):
        return self.kb.documents()

    def reindexing(self, documents, collection):
        return reindex(self.kb, documents)


def test_reindex_all_is_a_job_with_a_row_per_document(tmp_path):
    from documents.pdf_processor import ExtractedDocument
    from retrieval.knowledge_base import KnowledgeBase
    from tests.fakes import FakeEmbedder

    kb = KnowledgeBase(tmp_path, FakeEmbedder(), chunk_tokens=20, overlap_tokens=2, min_relevance=0.0)
    long = ExtractedDocument([" ".join(f"word{i}" for i in range(200))])
    first = kb.add_document("a.pdf", "a" * 64, 1, long)
    second = kb.add_document("b.pdf", "b" * 64, 1, ExtractedDocument(["Revenue was $5 million in 2023."]))
    kb.chunk_tokens = 60
    jobs = IngestJobs(KnowledgeBaseLibrary(kb))
    job = jobs.reindex("kb", owner="me")
    assert job.action == "reindex" and [f.name for f in job.files] == ["a.pdf", "b.pdf"]
    assert job.finished.wait(30) and not jobs.reindexing("kb")
    assert [f.state for f in job.files] == ["done", "done"]
    after = {d.name: d.chunks for d in kb.documents()}
    assert after["a.pdf"] < first.chunks and after["b.pdf"] == second.chunks
    assert job.files[0].status.startswith(f"a.pdf: re-indexed, {after['a.pdf']} passages in ")
    assert job.summary == "2 re-indexed"
    assert jobs.unnoticed("me") == [job]  # the page says it is done


def test_a_document_removed_before_its_turn_is_said_so():
    class Removed(KnowledgeBaseLibrary):
        def reindexing(self, documents, collection):
            class Gone:
                def rechunk(self, doc_id, progress=None):
                    return None

            return reindex(Gone(), documents)

    library = Removed(None)
    library.documents = lambda collection: [type("Doc", (), {"id": "x", "name": "x.pdf"})()]
    jobs = IngestJobs(library)
    job = jobs.reindex("kb")
    assert job.finished.wait(10)
    assert job.files[0].state == "skipped" and job.summary == "0 re-indexed, 1 removed meanwhile"
    assert job.files[0].status == "x.pdf was removed before it was re-indexed."


def test_a_reindex_waits_for_the_upload_before_it():
    gate = threading.Event()
    library = FakeLibrary(gate)
    library.documents = lambda collection: []
    library.reindexing = lambda documents, collection: iter(library.log.append("reindex") or ())
    jobs = IngestJobs(library)
    upload = jobs.start("kb", [_upload("a.pdf")])
    job = jobs.reindex("kb")
    assert jobs.reindexing("kb") and job.summary == "Re-indexing 0 documents, after the upload before it"
    gate.set()
    assert job.finished.wait(10) and upload.finished.is_set()
    assert library.log == ["start a.pdf", "end a.pdf", "reindex"]
