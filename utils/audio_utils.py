"""Audio in and out: decode any container to 16 kHz mono float32 (PyAV through faster-whisper, no
ffmpeg binary), find speech (Silero VAD shipped inside faster-whisper), write and join WAVs."""

from __future__ import annotations

import io
import wave

import numpy as np

from errors import AudioError

SAMPLE_RATE = 16_000
MIN_SECONDS = 0.3


def decode_audio(data: bytes) -> np.ndarray:
    """Any audio file's bytes -> 16 kHz mono float32 in [-1, 1]; AudioError if it cannot be read."""
    if not data:
        raise AudioError("The recording is empty (0 bytes). Try recording again.")
    pcm = _read_plain_wav(data)
    if pcm is not None:
        return pcm
    from faster_whisper import decode_audio as _decode

    try:
        audio = _decode(io.BytesIO(data), sampling_rate=SAMPLE_RATE)
    except Exception as e:  # noqa: BLE001 - PyAV raises many kinds; all mean "unreadable"
        raise AudioError(
            "This audio could not be read: the file is damaged or its format is not supported."
        ) from e
    if audio.size == 0:
        raise AudioError("The recording holds no sound samples. Try recording again.")
    return np.clip(audio.astype(np.float32), -1.0, 1.0)


def _read_plain_wav(data: bytes) -> np.ndarray | None:
    """Fast path for what the browser's recorder sends (16 kHz mono 16-bit WAV); None otherwise."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    try:
        with wave.open(io.BytesIO(data), "rb") as w:
            if (w.getframerate(), w.getnchannels(), w.getsampwidth()) != (SAMPLE_RATE, 1, 2):
                return None
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError):
        return None
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0


def duration_s(audio: np.ndarray) -> float:
    return audio.shape[0] / SAMPLE_RATE


def speech_seconds(audio: np.ndarray) -> float:
    """Seconds of speech found by the Silero voice-activity detector."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=300), sampling_rate=SAMPLE_RATE)
    return sum(s["end"] - s["start"] for s in spans) / SAMPLE_RATE


def has_speech(audio: np.ndarray, min_speech_s: float = 0.2, window_s: float = 3.0) -> bool:
    """Whether there is speech, looking window by window and stopping at the first speech found
    (a whole-clip VAD pass would cost as much as a tenth of the transcription itself)."""
    step = int(window_s * SAMPLE_RATE)
    for start in range(0, audio.shape[0], step):
        window = audio[max(0, start - SAMPLE_RATE // 2) : start + step]  # overlap: words across edges
        if speech_seconds(window) >= min_speech_s:
            return True
    return False


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit mono WAV from float32 samples in [-1, 1]."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def join_wavs(parts: list[bytes]) -> bytes:
    """One WAV from several with the same format (the pieces of a spoken reply)."""
    if not parts:
        return b""
    frames, params = [], None
    for part in parts:
        with wave.open(io.BytesIO(part), "rb") as w:
            params = params or w.getparams()
            frames.append(w.readframes(w.getnframes()))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setparams(params)
        for chunk in frames:
            w.writeframes(chunk)
    return buf.getvalue()
