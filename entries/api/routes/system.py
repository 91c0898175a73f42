"""Health, and the engines and models the app can answer with."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from entries.api.auth import Assistant, Authorized
from entries.api.errors import ERRORS
from entries.api.schemas import BackendStatus, BuiltinModel, EnginesOut, Health
from errors import AssistantError

router = APIRouter(prefix="/v1", tags=["system"])


@router.get("/health", response_model=Health, summary="Whether the server is up")
def health() -> Health:
    """No key needed; says nothing but that it answers."""
    return Health(status="ok")


@router.get(
    "/engines", response_model=EnginesOut, summary="The engines and models available", responses=ERRORS
)
async def engines(assistant: Assistant, caller: Authorized) -> EnginesOut:
    """The built-in models (and whether each is installed), Ollama's state and models, and the voices."""

    def gather() -> EnginesOut:
        ollama = assistant.engines.ollama_health()
        try:
            voices = [v.id for v in assistant.voice.voices()]
        except AssistantError:
            voices = []
        return EnginesOut(
            backend=assistant.settings.llm_backend,
            builtin=[
                BuiltinModel(key=k, summary=s, installed=i) for k, s, i in assistant.engines.builtin_models()
            ],
            ollama=BackendStatus(
                ok=ollama.ok,
                detail=ollama.detail,
                models=assistant.engines.ollama_models() if ollama.ok else [],
            ),
            voices=voices,
        )

    return await run_in_threadpool(gather)
