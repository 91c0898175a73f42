"""A knowledge base following a folder (core/folder_sync.py, core/folder_watch.py): real readers,
real SQLite and real file-system events; FakeEmbedder stands in for the embedding model."""

from __future__ import annotations

import os
import time

import pytest

from config.settings import Settings
from core.assistant import LocalAIAssistant
from errors import UserInputError
from retrieval.knowledge_base import KnowledgeBase
from storage.collections import DEFAULT
from storage.conversations import ConversationStore
from tests.fakes import FakeEmbedder, FakeLLM


@pytest.fixture
def app(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", folder_sync_delay_s=0.3)
    kb = KnowledgeBase(
        tmp_path / "data" / "kb", FakeEmbedder(), chunk_tokens=40, overlap_tokens=4, min_relevance=0.0
    )
    assistant = LocalAIAssistant(
        settings, ConversationStore(tmp_path / "c.db"), {"embedded": FakeLLM("embedded")}, knowledge_base=kb
    )
    yield assistant
    watcher = assistant.folders._watcher
    if watcher is not None:
        watcher.stop()


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "notes"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("Alpha notes: the budget for 2024 is 1,200 dollars.")
    (root / "sub" / "b.md").write_text("# Bravo\n\nThe bravo project ships in March.")
    (root / "picture.png").write_bytes(b"\x89PNG not read")
    (root / ".hidden.txt").write_text("never added")
    return root


def sync(app, collection=DEFAULT):
    job = app.folders.sync(collection)
    if job is not None:
        assert job.finished.wait(30)
    return job


def names(app):
    return sorted(d.name for d in app.library.documents())


def test_a_first_sync_adds_the_supported_files_and_says_what_it_did(app, folder):
    app.folders.follow(DEFAULT, folder)
    job = sync(app)
    assert names(app) == ["a.txt", "sub/b.md"]
    assert job.summary == "Folder synced: 2 added"
    assert app.folders.link(DEFAULT).last_report == "2 added (1 file of other kinds ignored)"
    assert "1,200" in app.library.search("budget for 2024", 1)[0].text


def test_a_second_sync_reads_nothing_unless_a_file_changed(app, folder):
    app.folders.follow(DEFAULT, folder)
    sync(app)
    os.utime(folder / "a.txt")  # touched, same content: not read again
    plan = app.folders.plan(DEFAULT)
    assert plan.changes == [] and plan.unchanged == 2
    assert sync(app) is None
    assert app.folders.link(DEFAULT).last_report.startswith("No changes (2 unchanged")


def test_changed_added_and_deleted_files_are_updated_added_and_removed(app, folder):
    app.folders.follow(DEFAULT, folder)
    sync(app)
    (folder / "a.txt").write_text("Alpha notes: the budget for 2025 is 3,400 dollars.")
    (folder / "c.txt").write_text("Charlie minutes: the office moves in June.")
    (folder / "sub" / "b.md").unlink()
    plan = app.folders.plan(DEFAULT)
    assert sorted((c.path, c.kind) for c in plan.changes) == [
        ("a.txt", "updated"),
        ("c.txt", "added"),
        ("sub/b.md", "removed"),
    ]
    job = sync(app)
    assert job.summary == "Folder synced: 1 added, 1 updated, 1 removed"
    assert names(app) == ["a.txt", "c.txt"]
    texts = " ".join(h.text for h in app.library.search("budget", 3))
    assert "3,400" in texts and "1,200" not in texts  # the old version is gone


def test_a_broken_file_fails_alone_and_an_updated_file_that_breaks_keeps_its_old_version(app, folder):
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 this is not a PDF")
    app.folders.follow(DEFAULT, folder)
    job = sync(app)
    assert names(app) == ["a.txt", "sub/b.md"] and "1 failed" in job.summary
    failed = next(f for f in job.files if f.name == "broken.pdf")
    assert failed.state == "failed" and "broken.pdf" in failed.message
    assert app.folders.plan(DEFAULT).changes == []  # not retried until it changes
    (folder / "a.txt").write_text("   \n")  # emptied: nothing to read
    job = sync(app)
    assert [(f.name, f.state) for f in job.files] == [("a.txt", "failed")]
    assert "1,200" in " ".join(h.text for h in app.library.search("budget 2024", 3))


def test_a_document_added_by_hand_stays_when_its_copy_leaves_the_folder(app, folder, tmp_path):
    from core.ingest import Upload

    own = tmp_path / "own.txt"
    own.write_text("Delta report: revenue grew 12 percent.")
    list(app.library.ingest([Upload("own.txt", path=own)]))
    (folder / "copy.txt").write_bytes(own.read_bytes())
    app.folders.follow(DEFAULT, folder)
    sync(app)
    (folder / "copy.txt").unlink()
    sync(app)
    assert "own.txt" in names(app)


def test_unfollowing_keeps_or_removes_the_documents_as_asked(app, folder):
    app.folders.follow(DEFAULT, folder)
    sync(app)
    assert app.folders.unfollow(DEFAULT, remove_documents=False) == 0
    assert names(app) == ["a.txt", "sub/b.md"] and app.folders.link(DEFAULT) is None
    app.folders.follow(DEFAULT, folder)
    sync(app)  # same content: already there, so not the sync's to remove
    app.library.delete_document(app.library.documents()[0].id)
    app.folders.unfollow(DEFAULT)
    (folder / "e.txt").write_text("Echo: a new file.")
    app.folders.follow(DEFAULT, folder)
    sync(app)
    assert app.folders.unfollow(DEFAULT, remove_documents=True) >= 1
    assert "e.txt" not in names(app)


def test_folders_that_cannot_be_followed_say_why(app, tmp_path):
    with pytest.raises(UserInputError, match="no folder"):
        app.folders.follow(DEFAULT, tmp_path / "missing")
    with pytest.raises(UserInputError, match="full path"):
        app.folders.follow(DEFAULT, "relative/dir")
    with pytest.raises(UserInputError, match="own data"):
        app.folders.follow(DEFAULT, tmp_path)  # holds DATA_DIR


def test_a_folder_too_big_or_gone_changes_nothing(app, folder, tmp_path):
    app.folders.follow(DEFAULT, folder)
    sync(app)
    for i in range(app.settings.max_folder_files):
        (folder / f"n{i}.txt").write_text("x")
    assert sync(app) is None
    assert "at most 2,000" in app.folders.link(DEFAULT).last_report and len(names(app)) == 2
    for path in folder.glob("n*.txt"):
        path.unlink()
    moved = tmp_path / "moved"
    folder.rename(moved)
    assert sync(app) is None
    assert "not there any more" in app.folders.link(DEFAULT).last_report and len(names(app)) == 2


def test_a_symlink_loop_does_not_trap_the_scan(app, folder):
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    app.folders.follow(DEFAULT, folder)
    sync(app)
    assert names(app) == ["a.txt", "sub/b.md"]


def test_a_deleted_knowledge_base_loses_its_link(app, folder):
    created = app.library.create("Notes")
    app.folders.follow(created.id, folder)
    app.library.delete(created.id)
    assert app.folders.links() == []


def test_the_watcher_syncs_a_change_by_itself(app, folder):
    app.folders.follow(DEFAULT, folder)
    app.folders.watch_in_background()
    assert _eventually(lambda: names(app) == ["a.txt", "sub/b.md"])  # the first sync on start
    (folder / "f.txt").write_text("Foxtrot: saved while the app runs.")
    assert _eventually(lambda: "f.txt" in names(app))
    (folder / "f.txt").unlink()
    assert _eventually(lambda: "f.txt" not in names(app))


def _eventually(check, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.1)
    return False
