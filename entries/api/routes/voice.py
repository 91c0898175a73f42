"""Speech: an audio file to text, and text to a WAV, with the app's engines and limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from core.options import AskOptions
from entries.api import lookup
from entries.api.auth import Assistant, Authorized
from entries.api.errors import ERRORS, ErrorBody
from entries.api.schemas import SpeakIn, TranscriptOut

router = APIRouter(prefix="/v1", tags=["voice"], responses=ERRORS)


@router.post(
    "/transcribe",
    response_model=TranscriptOut,
    summary="Speech to text",
    responses={503: {"model": ErrorBody, "description": "the recogniser is not installed"}},
)
async def transcribe(
    assistant: Assistant,
    caller: Authorized,
    file: Annotated[UploadFile, File(description="A recording: wav, mp3, m4a, ogg, webm, flac.")],
) -> TranscriptOut:
    """The words of the recording. 413 over ``MAX_AUDIO_S`` seconds (or ``MAX_UPLOAD_MB``); 422 when
    it cannot be decoded or holds no speech."""
    data = await file.read()
    heard = await run_in_threadpool(assistant.voice.transcribe, data)
    return TranscriptOut(text=heard.text, duration_s=round(heard.duration_s, 3))


@router.post(
    "/speak",
    response_class=Response,
    summary="Text to speech (WAV)",
    responses={
        200: {"content": {"audio/wav": {}}, "description": "the speech, as WAV"},
        503: {"model": ErrorBody, "description": "no voice is available"},
    },
)
def speak(body: SpeakIn, assistant: Assistant, caller: Authorized) -> Response:
    """``text`` read aloud as it would be in the app (no code, URLs or citation markers); at
    most ``MAX_MESSAGE_CHARS`` characters (413)."""
    text = lookup.message(assistant, body.text, "a text")
    wav = assistant.voice.speak(text, AskOptions(tts_voice=body.voice))
    return Response(wav, media_type="audio/wav")
