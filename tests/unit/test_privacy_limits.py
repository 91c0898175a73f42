"""Who sees which chat, the limits a shared server needs, and stored speech cleaned up."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from config.settings import Settings
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Notice
from core.session_manager import OWNER_COOKIE, SessionManager
from errors import UserInputError
from storage.audio_store import AudioStore
from storage.conversations import SHARED, ConversationStore
from tests.fakes import FakeLLM, FakeTTS
from ui.page_guard import is_loopback

ALICE, BOB = "a" * 32, "b" * 32


def make(tmp_path, **overrides):
    settings = Settings(data_dir=tmp_path, **overrides)
    llm = FakeLLM("embedded", ["Paris is the capital. ", "It is in France."])
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": llm})
    assistant.voice.tts = lambda options=None: FakeTTS()  # the named fake instead of pyttsx3
    return assistant


def test_each_browser_sees_its_own_chats_and_the_shared_ones(tmp_path):
    assistant = make(tmp_path)
    mine = assistant.chats.new(ALICE)
    theirs = assistant.chats.new(BOB)
    from_cli = assistant.chats.new()
    assert {c.id for c in assistant.chats.list(ALICE)} == {mine.id, from_cli.id}
    assert assistant.chats.get(theirs.id, ALICE) is None
    assert assistant.chats.get(theirs.id, BOB) == theirs
    assert {c.id for c in assistant.chats.list()} == {mine.id, theirs.id, from_cli.id}
    assert from_cli.owner == SHARED


def test_chats_of_an_earlier_release_gain_an_owner_column_and_stay_visible(tmp_path):
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as con:
        con.execute(
            "CREATE TABLE conversations (id TEXT PRIMARY KEY, title TEXT NOT NULL, "
            "created_at REAL NOT NULL, updated_at REAL NOT NULL)"
        )
        con.execute("INSERT INTO conversations VALUES ('old', 'Before owners', 1, 1)")
    store = ConversationStore(db)
    assert [c.title for c in store.list(ALICE)] == ["Before owners"]


def test_too_many_chats_is_a_clear_message(tmp_path):
    assistant = make(tmp_path, max_chats=2)
    assistant.chats.new(ALICE)
    assistant.chats.new(ALICE)
    with pytest.raises(UserInputError, match="You have 2 chats, the most kept per person"):
        assistant.chats.new(ALICE)
    assistant.chats.new(BOB)  # another browser is not affected


def test_too_many_files_in_one_upload_is_refused_as_a_whole(tmp_path):
    assistant = make(tmp_path, max_files_per_upload=3)
    assistant.library.validate_upload(3)
    with pytest.raises(UserInputError, match="You chose 4 files; at most 3 are added at once"):
        assistant.library.validate_upload(4)


def test_deleting_a_chat_removes_its_stored_speech(tmp_path):
    assistant = make(tmp_path)
    keep, drop = assistant.chats.new(ALICE), assistant.chats.new(ALICE)
    for cid in (keep.id, drop.id):
        list(assistant.answers.ask(cid, "Capital of France?", AskOptions(backend="embedded", speak=True)))
    kept = assistant.voice.audio_path(assistant.chats.messages(keep.id)[-1].meta["audio"])
    dropped = assistant.voice.audio_path(assistant.chats.messages(drop.id)[-1].meta["audio"])
    assert kept and dropped and len(kept.stem) == 32  # a random 128-bit name
    assistant.chats.delete(drop.id)
    assert not dropped.exists() and kept.exists()


def test_stored_speech_stays_under_its_cap_oldest_first(tmp_path):
    store = AudioStore(tmp_path / "audio", max_bytes=2500)
    first, _ = store.save(b"x" * 1000)
    second, _ = store.save(b"y" * 1000)
    third, removed = store.save(b"z" * 1000)
    assert removed == 1 and store.path(first) is None
    assert store.path(second) and store.path(third) and store.used_bytes() == 2000
    assert store.save(b"w" * 3000) == ("", 0)  # bigger than the whole cap: not kept


def test_a_reply_that_pushes_out_old_speech_says_so(tmp_path):
    assistant = make(tmp_path, max_audio_storage_mb=0)
    assistant.voice.audio.max_bytes = 20_000  # two of the fake's replies (about 8.9 kB each)
    cid = assistant.chats.new(ALICE).id
    notices = []
    for _ in range(4):
        events = list(assistant.answers.ask(cid, "Capital?", AskOptions(backend="embedded", speak=True)))
        notices += [e.text for e in events if isinstance(e, Notice)]
    assert any("oldest spoken repl" in n for n in notices)
    assert assistant.voice.audio.used_bytes() <= 20_000


def test_session_owner_comes_from_the_cookie_or_is_made_once():
    state: dict = {}
    fresh = SessionManager(state, cookies={})
    assert len(fresh.owner) == 32 and fresh.owner_cookie_to_set == fresh.owner
    assert SessionManager(state, cookies={}).owner == fresh.owner  # a rerun keeps it
    known = SessionManager({}, cookies={OWNER_COOKIE: ALICE})
    assert known.owner == ALICE and known.owner_cookie_to_set == ""
    forged = SessionManager({}, cookies={OWNER_COOKIE: "'; alert(1); '"})
    assert forged.owner != "'; alert(1); '" and len(forged.owner) == 32


@pytest.mark.parametrize(
    "address, loopback",
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
     ("0.0.0.0", False), ("", False), ("192.168.1.20", False), ("myhost.lan", False)],
)  # fmt: skip
def test_loopback_addresses(address, loopback):
    assert is_loopback(address) is loopback


class RecordingSlot:
    """A fake ``st.empty()`` placeholder: records the HTML that would be drawn in it."""

    def __init__(self) -> None:
        self.drawn: list[str] = []
        self.cleared = False

    def container(self, **kwargs):
        return contextlib.nullcontext()

    def iframe(self, html: str, height: int) -> None:
        self.drawn.append(html)

    def empty(self) -> None:
        self.cleared = True


def test_the_reply_player_is_drawn_once_with_its_first_sentence_and_no_text(tmp_path, monkeypatch):
    import base64

    from ui import audio_player

    monkeypatch.setattr(audio_player, "STATIC_DIR", tmp_path / "tts")
    slot = RecordingSlot()
    monkeypatch.setattr(audio_player.st, "empty", lambda: slot)
    live = audio_player.LiveReplyAudio()
    live.reserve_player()
    assert slot.drawn == []  # nothing to play yet
    first, second = b"RIFF" + bytes(range(256)) * 3, b"RIFF" + b"second"
    live.add(0, first)
    live.add(1, second)
    assert len(slot.drawn) == 1  # later sentences are fetched by the player, not drawn
    html = slot.drawn[0]
    encoded = base64.b64encode(first).decode()
    assert encoded in html and base64.b64encode(second).decode() not in html
    # Only the trusted template, the random id and the audio: no text of the user's or the model's.
    expected = audio_player._PLAYER.replace("REPLY_ID", live.reply).replace("FIRST_WAV", encoded)
    assert html == expected
    assert (live.folder / "0.wav").read_bytes() == first and (live.folder / "1.wav").read_bytes() == second
    live.clear_if_silent()
    assert not slot.cleared  # the player stays

    silent = audio_player.LiveReplyAudio()
    silent.reserve_player()
    silent.clear_if_silent()  # nothing was spoken: its placeholder goes
    assert slot.cleared


def test_deleting_a_chat_removes_its_served_sentence_files_and_nothing_else(tmp_path, monkeypatch):
    from ui import audio_player

    monkeypatch.setattr(audio_player, "STATIC_DIR", tmp_path / "tts")
    mine, other = audio_player.LiveReplyAudio(), audio_player.LiveReplyAudio()
    mine.add(0, b"RIFF")
    other.add(0, b"RIFF")
    session = SessionManager({}, cookies={})
    session.add_live_reply("chat-1", mine.reply)
    audio_player.remove_replies([*session.pop_live_replies("chat-1"), "..", "../tts"])
    assert not mine.folder.exists() and other.folder.exists()
    assert len(mine.reply) == 32  # a random 128-bit id, so its URL cannot be guessed
