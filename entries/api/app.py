"""The FastAPI application: every route, the key check, the body limits and the error shape."""

from __future__ import annotations

from fastapi import FastAPI

from core.assistant import LocalAIAssistant
from entries.api import errors
from entries.api.jobs import Jobs
from entries.api.limits import BodyLimit, limit_for
from entries.api.routes import chat, conversations, documents, knowledge_bases, openai_compat, system, voice

DESCRIPTION = """The local assistant over HTTP: knowledge bases and their documents, search, chat
(whole or streamed as Server-Sent Events), conversations, speech, and an OpenAI-compatible
`/v1/chat/completions` whose model `kb/<name>` answers from that knowledge base with [n] citations.

Send `Authorization: Bearer <key>` (keys: `python cli.py api-key create NAME`); a server on
127.0.0.1 may take requests without one (`API_REQUIRE_KEYS=false`, the default). Every error is
`{"error": {"status", "type", "message"}}`."""


def create_app(assistant: LocalAIAssistant, require_keys: bool = False) -> FastAPI:
    """The API on ``assistant``; ``require_keys``: every request (but /v1/health) needs a key."""
    app = FastAPI(title="Local Assistant API", version="1", description=DESCRIPTION)
    app.state.assistant = assistant
    app.state.require_keys = require_keys
    app.state.jobs = Jobs(assistant.ingest_jobs)
    errors.install(app)
    for module in (system, knowledge_bases, documents, chat, conversations, voice, openai_compat):
        app.include_router(module.router)
    app.add_middleware(BodyLimit, limit=limit_for(assistant.settings))
    return app
