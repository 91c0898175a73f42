"""Request bodies over the limit are refused before they are read whole: at once when the
Content-Length says so, else as soon as the bytes received pass it (a chunked upload)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from config.settings import Settings
from entries.api.errors import error_response

JSON_LIMIT = 1 * 2**20
"""Largest JSON body (a chat request with its history, a search): 1 MiB."""
MULTIPART_SLACK = 2**20
"""Room for the multipart headers around the largest file a request may carry."""


class BodyTooLarge(HTTPException):
    """Raised while a body is read, once its bytes pass the limit (FastAPI passes it through)."""

    def __init__(self, message: str):
        super().__init__(status_code=413, detail=message)


def limit_for(settings: Settings) -> Callable[[str], tuple[int, str]]:
    """The body limit of a path, and the message that says it: uploads (documents, audio) may be
    as large as the page's ``MAX_UPLOAD_MB``; everything else is JSON."""
    upload = settings.max_upload_mb * 2**20

    def limit(path: str) -> tuple[int, str]:
        if path.endswith("/documents") or path.endswith("/transcribe"):
            return upload + MULTIPART_SLACK, f"The upload is over the limit of {settings.max_upload_mb} MB."
        return JSON_LIMIT, f"The request body is over the limit of {JSON_LIMIT // 2**20} MB."

    return limit


class BodyLimit:
    """ASGI middleware: a 413 with the reason for a body over its path's limit."""

    def __init__(self, app: ASGIApp, limit: Callable[[str], tuple[int, str]]):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, message = self.limit(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            response = error_response(413, message, headers={"Connection": "close"})
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            event = await receive()
            if event["type"] == "http.request":
                received += len(event.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(message)
            return event

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
