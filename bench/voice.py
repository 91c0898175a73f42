"""Voice benchmarks, side by side in one run.

    python bench/voice.py [--runs 5]

1. STT real-time factor of the packaged tiny.en: this app's wrapper (decode + length checks +
   Silero VAD + Whisper) vs raw faster-whisper (``WhisperModel.transcribe`` on the same file with
   the same decoding options), interleaved, on jfk.flac (11 s) and jfk x3 (33 s).
2. Voice turn latency: from the end of a 5 s spoken question to the first sentence of the reply
   being ready as audio, with the embedded LLM and a 3-passage knowledge-base context (the three
   dev filings), models warm. The spoken questions are dev-set questions synthesised with
   espeak-ng (no recordings of people asking them exist here) and padded with silence to 5.0 s.
   Reported: p50 and p90 of the whole turn and the median of each stage, once with the natural
   Piper voice (the default) and once with espeak-ng.
3. Text-to-speech alone, both engines interleaved: seconds to synthesise the first sentence of a
   typical answer (the first-audio latency a spoken reply adds), and audio seconds per second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
SHARED = ROOT.parent / "shared" / "data"
QUESTIONS = [
    "What was Intel's revenue in the quarter?",
    "How much did Nvidia spend on research and development?",
    "What was Microsoft's net income?",
    "What was Intel's gross margin?",
    "How much cash did Microsoft have?",
]


def stt_sizes(runs: int, tmp: Path) -> None:
    """tiny.en (fast) and base (accurate) through the app's wrapper: WER where a reference exists
    (jfk.flac), real-time factor on every recording in shared/data/audio."""
    from core.voice.spoken import listen
    from models.whisper_model import create_stt
    from tests.integration.test_voice_real import wer
    from utils.audio_utils import decode_audio

    audio = SHARED / "audio"
    references = dict(
        line.split("\t", 1) for line in (audio / "transcripts.tsv").read_text().strip().splitlines()
    )
    clips = sorted(p for p in audio.iterdir() if p.suffix in (".flac", ".mp3", ".wav"))
    models = {
        size: create_stt("faster-whisper", size, tmp, os.cpu_count() or 2) for size in ("tiny.en", "base")
    }
    print("\n| recording | audio s | " + " | ".join(f"{s} RTF | {s} WER" for s in models) + " |")
    print("|---|---|" + "---|---|" * len(models))
    for clip in clips:
        data = clip.read_bytes()
        seconds = decode_audio(data).shape[0] / 16000
        cells = []
        for stt in models.values():
            listen(data, stt, 600)  # warm
            times, text = [], ""
            for _ in range(runs):
                t0 = time.perf_counter()
                text = listen(data, stt, 600).text
                times.append(time.perf_counter() - t0)
            ref = references.get(clip.name)
            cells.append(
                f"{statistics.median(times) / seconds:.3f} | {wer(ref, text):.3f}"
                if ref
                else f"{statistics.median(times) / seconds:.3f} | -"
            )
        print(f"| {clip.name} | {seconds:.1f} | " + " | ".join(cells) + " |")


def stt_overhead(runs: int, tmp: Path) -> None:
    from faster_whisper import WhisperModel

    from core.voice.spoken import listen
    from models.whisper_model import create_stt
    from utils.audio_utils import decode_audio, wav_bytes

    jfk = (SHARED / "audio" / "jfk.flac").read_bytes()
    long_path = tmp / "jfk-x3.wav"
    long_path.write_bytes(wav_bytes(np.tile(decode_audio(jfk), 3), 16000))
    files = {"jfk.flac (11 s)": SHARED / "audio" / "jfk.flac", "jfk x3 (33 s)": long_path}
    wrapper = create_stt("faster-whisper", "tiny.en", tmp, os.cpu_count() or 2)
    raw = WhisperModel(
        wrapper.model_path(), device="cpu", compute_type="int8", cpu_threads=os.cpu_count() or 2
    )
    wrapper.load()
    listen((SHARED / "audio" / "jfk.flac").read_bytes(), wrapper, 600)  # warm both (VAD session, caches)
    list(raw.transcribe(str(SHARED / "audio" / "jfk.flac"), language="en", beam_size=1)[0])
    print("| file | audio s | raw faster-whisper s (RTF) | this app's wrapper s (RTF) | overhead |")
    print("|---|---|---|---|---|")
    for name, path in files.items():
        data = path.read_bytes()
        seconds = decode_audio(data).shape[0] / 16000
        raw_t, app_t = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            segments, _ = raw.transcribe(
                str(path),
                language="en",
                beam_size=1,
                vad_filter=False,
            )
            " ".join(s.text for s in segments)
            raw_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            listen(data, wrapper, 600)
            app_t.append(time.perf_counter() - t0)
        r, a = statistics.median(raw_t), statistics.median(app_t)
        print(
            f"| {name} | {seconds:.1f} | {r:.3f} ({r / seconds:.3f}) | {a:.3f} ({a / seconds:.3f}) | "
            f"{(a - r) / r * 100:+.1f} % |"
        )


FIRST_SENTENCES = [
    "Microsoft's net income for the quarter was $17,556 million.",
    "Apple's total net sales were $81,797 million for the quarter ended July 1, 2023.",
    "According to passage 2, the company repurchased shares worth $5.5 billion.",
    "Yes.",
    "The filing does not say how many employees the company had at the end of the quarter.",
]


def tts_speed(runs: int) -> None:
    from models.tts_model import PiperTTS, Pyttsx3TTS
    from utils.audio_utils import decode_audio

    engines = {"Piper (joe, natural)": PiperTTS(), "espeak-ng (pyttsx3)": Pyttsx3TTS()}
    for engine in engines.values():
        engine.synthesize("Warm up.")
    seconds: dict[str, list[float]] = {name: [] for name in engines}
    audio: dict[str, float] = dict.fromkeys(engines, 0.0)
    for _ in range(runs):
        for sentence in FIRST_SENTENCES:
            for name, engine in engines.items():
                started = time.perf_counter()
                wav = engine.synthesize(sentence)
                seconds[name].append(time.perf_counter() - started)
                audio[name] += decode_audio(wav).shape[0] / 16000
    print(f"\ntext-to-speech, first sentence of an answer ({len(FIRST_SENTENCES)} sentences x {runs}):")
    print("| engine | median s | p90 s | audio s per second |")
    print("|---|---|---|---|")
    for name in engines:
        p90 = statistics.quantiles(seconds[name], n=10)[-1]
        speed = audio[name] / sum(seconds[name])
        print(f"| {name} | {statistics.median(seconds[name]):.3f} | {p90:.3f} | {speed:.1f} |")


def voice_turns(runs: int, tmp: Path, voice: str = "") -> None:
    from config.settings import Settings
    from core.assistant import AskOptions, LocalAIAssistant
    from core.events import IngestResult, Notice, Stats, Token
    from core.ingest import Upload
    from models.tts_model import Pyttsx3TTS
    from utils.audio_utils import decode_audio, wav_bytes

    assistant = LocalAIAssistant(Settings(data_dir=tmp / "data", temperature=0.0, max_answer_tokens=80))
    uploads = [Upload(p.name, path=p) for p in sorted((SHARED / "rag-dev" / "pdfs").glob("*.pdf"))]
    assert all(e.ok for e in assistant.library.ingest(uploads) if isinstance(e, IngestResult))
    clips = []
    for question in QUESTIONS:
        speech = decode_audio(Pyttsx3TTS(rate=150).synthesize(question))
        padded = np.concatenate([speech, np.zeros(max(0, 16000 * 5 - speech.shape[0]), dtype=np.float32)])
        clips.append(wav_bytes(padded[: 16000 * 5], 16000))
    options = AskOptions(backend="embedded", speak=True, tts_voice=voice)
    heard = assistant.voice.transcribe(clips[0])  # warm every model once
    list(assistant.answers.ask(assistant.chats.new().id, heard.text, options, heard))

    turns: list[dict[str, float]] = []
    said = []
    for _ in range(runs):
        for clip in clips:
            heard = assistant.voice.transcribe(clip)
            events = list(assistant.answers.ask(assistant.chats.new().id, heard.text, options, heard))
            breakdown = next(e for e in events if isinstance(e, Stats)).breakdown
            if "voice_turn_s" not in breakdown:
                notes = [e.text for e in events if isinstance(e, Notice)]
                answer = "".join(e.text for e in events if isinstance(e, Token))
                print(f"no audio for {heard.text!r}: answer {answer!r}, notes {notes}")
                continue
            turns.append(breakdown)
            said.append(heard.text)
    total = [t["voice_turn_s"] for t in turns]
    print(f"\nvoice turn, end of a 5 s question -> first audio ({len(turns)} turns), voice {voice!r}:")
    print(f"p50 {statistics.median(total):.2f} s, p90 {statistics.quantiles(total, n=10)[-1]:.2f} s\n")
    stages = [
        "decode_s",
        "vad_s",
        "stt_s",
        "retrieval_s",
        "first_token_s",
        "first_sentence_s",
        "tts_s",
        "first_audio_s",
    ]
    print("| stage | median s |")
    print("|---|---|")
    for stage in stages:
        print(f"| {stage} | {statistics.median(t.get(stage, 0.0) for t in turns):.3f} |")
    print(
        "\n(first_token_s, first_sentence_s and first_audio_s count from the transcript's arrival;"
        " voice_turn_s = decode + vad + stt + first_audio_s)"
    )
    print("heard:", sorted(set(said))[:5])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="voice turns per question")
    parser.add_argument("--stt-runs", type=int, default=9, help="transcriptions per file and side")
    parser.add_argument("--only", default="", help="stt, tts or turns (default: all three)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-voice-"))
    if args.only in ("", "stt"):
        stt_overhead(args.stt_runs, tmp)
        stt_sizes(3, tmp)
    if args.only in ("", "tts"):
        tts_speed(args.runs)
    if args.only in ("", "turns"):
        voice_turns(args.runs, tmp)  # the default voice: Piper where installed
        voice_turns(args.runs, tmp / "espeak", voice="gmw/en-us")


if __name__ == "__main__":
    main()
