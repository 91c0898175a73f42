"""One JSON shape for every error the API returns, and the handlers that give it: a status, a
kind and a message written for the person reading it; never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from errors import (
    AssistantError,
    AudioError,
    AudioTooLong,
    DocumentError,
    LLMStreamError,
    LLMUnavailable,
    ModelMissing,
    ModelNotFound,
    OriginalMissing,
    SpeechError,
    UserInputError,
)

log = logging.getLogger("entries.api")

KINDS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    500: "internal_error",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    status: int
    type: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Every error: ``{"error": {"status", "type", "message"[, "details"]}}`` (the OpenAI client
    reads ``error.message`` from the same shape)."""

    error: ErrorDetail


class ApiError(HTTPException):
    """An error with its status and a message for the caller."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(status_code=status, detail=message, headers=headers)


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": KINDS[status].replace("_", " ")}
    for status in (401, 403, 404, 413, 422)
}
"""The error responses every protected route may give, for the OpenAPI schema."""


def status_of(error: AssistantError) -> int:
    """The HTTP status for one of the app's own errors."""
    if isinstance(error, AudioTooLong):
        return 413
    if isinstance(error, OriginalMissing):
        return 409
    if isinstance(error, (LLMUnavailable, ModelNotFound, LLMStreamError, ModelMissing, SpeechError)):
        return 503
    if isinstance(error, (UserInputError, DocumentError, AudioError)):
        return 422
    return 422


def error_response(status: int, message: str, details: Any = None, headers: Any = None) -> JSONResponse:
    kind = KINDS.get(status, "error")
    body = ErrorBody(error=ErrorDetail(status=status, type=kind, message=message, details=details))
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Every error the app can meet answers with ErrorBody."""

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else KINDS.get(exc.status_code, "error")
        if exc.status_code == 404 and message == "Not Found":
            message = f"There is nothing at {request.method} {request.url.path}."
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {
                "loc": list(map(str, e.get("loc", ()))),
                "msg": str(e.get("msg", "")),
                "type": str(e.get("type")),
            }
            for e in exc.errors()
        ]
        if any(d["type"] == "json_invalid" for d in details):
            message = "The request body is not valid JSON."
        else:
            message = "; ".join(f"{'.'.join(d['loc'][1:]) or 'body'}: {d['msg']}" for d in details[:5])
        return error_response(422, message, details)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return error_response(status_of(exc), str(exc))

    app.add_middleware(CatchCrashes)


class CatchCrashes:
    """ASGI middleware: a request that fails with a bug gets a 500 in the error shape and the log
    gets the trace. Caught here rather than by an ``Exception`` handler, which Starlette re-raises
    to the server after answering: the connection is then dropped, and a client reusing it (keep
    alive) sees its next request reset."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception:
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if started:
                raise  # part of the answer is sent: the connection has to end
            response = error_response(500, "The server failed on this request; the log says why.")
            await response(scope, receive, send)
