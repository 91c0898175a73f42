"""Voice logic with named fakes for the engines (real decoding and VAD, no Whisper or espeak)."""

from __future__ import annotations

import numpy as np
import pytest

from config.settings import Settings
from core.assistant import AskOptions, LocalAIAssistant
from core.events import Audio, Notice, Stats, Token
from core.voice.spoken import DIDNT_CATCH, SpokenReply, listen
from errors import AudioError
from storage.conversations import ConversationStore
from tests.conftest import SHARED
from tests.fakes import FakeLLM, FakeSTT, FakeTTS
from utils.audio_utils import decode_audio, join_wavs, wav_bytes
from utils.helpers import SentenceSplitter, speech_text

JFK = (SHARED / "data" / "audio" / "jfk.flac").read_bytes()


def test_speech_text_drops_code_urls_citations_and_markup():
    reply = "## Result\nIntel earned **$14.2B** [1][2]. See https://intel.com.\n```py\nprint(1)\n```\n"
    assert speech_text(reply + "- `x` done [3, 4]") == "Result Intel earned $14.2B. See done"


def test_sentence_splitter_emits_sentences_as_they_complete():
    s = SentenceSplitter()
    got = []
    for piece in ["The capital", " is Paris. It has", " 2 million people! And", " more"]:
        got += s.feed(piece)
    assert got == ["The capital is Paris.", "It has 2 million people!"]
    assert s.flush() == ["And more"]


def test_spoken_reply_keeps_order_and_times_the_first_sentence():
    tts = FakeTTS()
    reply = SpokenReply(tts)
    pieces = []
    for piece in ["First sentence here. Second", " one [1] here. Third", " and last"]:
        pieces += reply.feed(piece)
    pieces += reply.finish()
    assert [p.index for p in pieces] == [0, 1, 2]
    assert tts.said == ["First sentence here.", "Second one here.", "Third and last"]
    assert reply.first_sentence_s is not None and reply.first_audio_s >= reply.first_sentence_s


class SlowFakeTTS(FakeTTS):
    """Named fake: a voice that takes 0.2 s per piece, and says when each piece was started."""

    def __init__(self, fail: bool = False):
        super().__init__(fail)
        self.started: list[float] = []

    def synthesize(self, text: str) -> bytes:
        import time

        self.started.append(time.perf_counter())
        time.sleep(0.2)
        return super().synthesize(text)


def test_the_first_piece_is_voiced_before_more_text_is_taken():
    tts = SlowFakeTTS()
    reply = SpokenReply(tts)
    assert [p.index for p in reply.feed("The answer is here. And")] == [0]  # waited for its audio
    assert reply.feed(" this is the second one. More") == []  # later pieces never wait
    assert [p.index for p in reply.finish()] == [1, 2]
    failing = SpokenReply(SlowFakeTTS(fail=True))
    assert failing.feed("The answer is here. And") == [] and failing.error is not None  # no hang


def test_listen_rejects_silence_short_long_and_corrupt_audio():
    stt = FakeSTT()
    silence = wav_bytes(np.zeros(16000 * 5, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match="didn't catch that"):
        listen(silence, stt, 300)
    with pytest.raises(AudioError, match="only 0.1 s"):
        listen(wav_bytes(np.zeros(1600, dtype=np.float32), 16000), stt, 300)
    with pytest.raises(AudioError, match="limit is 0 minutes"):
        listen(JFK, stt, 5)
    with pytest.raises(AudioError, match="damaged or its format is not supported"):
        listen(b"RIFF\x00\x00garbage" * 10, stt, 300)
    with pytest.raises(AudioError, match="empty"):
        listen(b"", stt, 300)
    assert stt.calls == 0  # nothing unusable reached Whisper
    heard = listen(JFK, stt, 300)
    assert heard.text == stt.text and heard.duration_s == pytest.approx(11.0, abs=0.1)
    assert set(heard.timings) == {"decode_s", "vad_s", "stt_s"}


def test_blank_transcript_is_not_sent():
    with pytest.raises(AudioError) as e:
        listen(JFK, FakeSTT(" ... "), 300)
    assert str(e.value) == DIDNT_CATCH


def test_join_wavs():
    one = wav_bytes(np.ones(100, dtype=np.float32) * 0.5, 16000)
    joined = join_wavs([one, one])
    assert decode_audio(joined).shape[0] == pytest.approx(200, abs=2)


ANSWER = ["Paris is the capital.", " It is in France", ", on the Seine", ", in Europe", "."]


def make(tmp_path, tts):
    settings = Settings(data_dir=tmp_path)
    llm = FakeLLM("embedded", ANSWER, delay=0.05)  # written slowly, like a real model
    assistant = LocalAIAssistant(settings, ConversationStore(tmp_path / "c.db"), {"embedded": llm})
    assistant.voice.tts = lambda options=None: tts  # the named fake instead of pyttsx3
    return assistant


def test_spoken_answer_streams_audio_in_order_and_stores_it(tmp_path):
    assistant = make(tmp_path, FakeTTS())
    cid = assistant.chats.new().id
    spoken = AskOptions(backend="embedded", speak=True)
    events = list(assistant.answers.ask(cid, "Capital of France?", spoken))
    audio = [e for e in events if isinstance(e, Audio)]
    assert [a.index for a in audio] == [0, 1]
    first_audio = events.index(audio[0])
    assert first_audio < max(i for i, e in enumerate(events) if isinstance(e, Token))  # before the text ends
    stored = assistant.chats.messages(cid)[-1]
    assert assistant.voice.audio_path(stored.meta["audio"]).is_file()
    breakdown = next(e for e in events if isinstance(e, Stats)).breakdown
    assert {"retrieval_s", "first_token_s", "first_sentence_s", "tts_s", "first_audio_s"} <= set(breakdown)


def test_a_stopped_spoken_answer_keeps_its_timings(tmp_path):
    assistant = make(tmp_path, FakeTTS())
    cid = assistant.chats.new().id
    events = assistant.answers.ask(cid, "Capital of France?", AskOptions(backend="embedded", speak=True))
    next(e for e in events if isinstance(e, Audio))  # the first sentence is heard, then a barge-in
    events.close()
    stored = assistant.chats.messages(cid)[-1]
    assert stored.meta["cut_off_reason"] == "stopped"
    assert {"first_token_s", "first_audio_s"} <= set(stored.meta["breakdown"])


def test_speech_failure_keeps_the_text_answer(tmp_path):
    assistant = make(tmp_path, FakeTTS(fail=True))
    cid = assistant.chats.new().id
    spoken = AskOptions(backend="embedded", speak=True)
    events = list(assistant.answers.ask(cid, "Capital of France?", spoken))
    assert "".join(e.text for e in events if isinstance(e, Token)) == "".join(ANSWER)
    assert any(isinstance(e, Notice) and "espeak-ng is missing" in e.text for e in events)
    assert assistant.chats.messages(cid)[-1].content == "".join(ANSWER)
    assert "audio" not in assistant.chats.messages(cid)[-1].meta


def test_missing_espeak_is_a_clear_message(monkeypatch):
    import pyttsx3

    from errors import SpeechError
    from models.tts_model import Pyttsx3TTS

    def no_espeak():  # what pyttsx3 raises when libespeak-ng cannot be loaded
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    monkeypatch.setattr(pyttsx3, "init", no_espeak)
    with pytest.raises(SpeechError, match="espeak-ng is missing"):
        Pyttsx3TTS().synthesize("hello")


def test_first_piece_may_end_at_a_clause_so_speech_starts_sooner():
    s = SentenceSplitter()
    got = []
    for piece in [
        "According to the",
        " quarterly filing,",
        " revenue was $14,158 million.",
        " Costs, however",
        ", rose.",
    ]:
        got += s.feed(piece)
    got += s.flush()
    assert got == [
        "According to the quarterly filing,",
        "revenue was $14,158 million.",
        "Costs, however, rose.",
    ]
    short = SentenceSplitter()
    assert short.feed("Yes, it is true. ") == [] and short.feed("Done") == [
        "Yes, it is true."
    ]  # no early cut
    quick = SentenceSplitter()
    assert quick.feed("Sure! Here is one. It is") == ["Sure!", "Here is one."]  # said at once
    assert SentenceSplitter().feed("Mr. Smith came. ") == []  # "Mr." is not a sentence
    dated = SentenceSplitter()  # a date is not cut at its comma ("May 31," then "2020.")
    assert dated.feed("The current ratio was 0.68 at May 31, ") == []
    assert dated.feed("2020. It") == ["The current ratio was 0.68 at May 31, 2020."]


def test_without_piper_the_default_voice_is_espeak(monkeypatch):
    from models import tts_model

    monkeypatch.setattr(tts_model, "piper_voices", lambda: {})
    assert isinstance(tts_model.create_tts(""), tts_model.Pyttsx3TTS)
    assert isinstance(tts_model.create_tts("gmw/en-us"), tts_model.Pyttsx3TTS)
    # a stored choice of the natural voice, on a machine without it: a clear message, not a crash
    from errors import SpeechError

    with pytest.raises(SpeechError, match="natural voice is not installed"):
        tts_model.create_tts("piper:en_US-joe-medium").synthesize("hello")


def test_piper_voice_labels():
    from models.tts_model import _piper_label

    assert _piper_label("en_US-joe-medium") == "Joe (US English, natural)"
    assert _piper_label("de_DE-thorsten-high") == "Thorsten (de_DE, natural)"


def test_talking_over_a_reply_already_written_marks_it_stopped(tmp_path):
    assistant = make(tmp_path, FakeTTS())
    cid = assistant.chats.new().id
    assert not assistant.chats.mark_interrupted(cid)  # nothing said yet
    list(assistant.answers.ask(cid, "Capital of France?", AskOptions(backend="embedded", speak=True)))
    assert assistant.chats.mark_interrupted(cid)
    stored = assistant.chats.messages(cid)[-1]
    assert stored.content == "".join(ANSWER) and stored.meta["cut_off_reason"] == "stopped"
    assert stored.meta["audio"] and not assistant.chats.mark_interrupted(cid)  # marked once
    list(assistant.answers.ask(cid, "And of Spain?", AskOptions(backend="embedded")))  # written, not spoken
    assert not assistant.chats.mark_interrupted(cid)
