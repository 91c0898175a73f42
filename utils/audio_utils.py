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


def duration_s(audio: np.ndarray) -> float:
    return audio.shape[0] / SAMPLE_RATE


def speech_seconds(audio: np.ndarray) -> float:
    """Seconds of speech found by the Silero voice-activity detector."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    spans = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=300), sampling_rate=SAMPLE_RATE)
    return sum(s["end"] - s["start"] for s in spans) / SAMPLE_RATE


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
