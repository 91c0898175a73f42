"""OpenAI-compatible ``GET /v1/models`` and ``POST /v1/chat/completions``: the model ``local`` is
plain chat, ``kb/<name>`` answers from that knowledge base with [n] citations; the sources travel
in extra fields (``sources``, ``unsupported_figures``, ``computed``, ``notices``) a plain client
ignores. Each request is its own chat: the messages it sends are the history, and nothing is kept
once it is answered."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from core.assistant import LocalAIAssistant
from core.events import Done, Error, Token
from core.options import AskOptions
from entries.api import lookup
from entries.api.auth import Assistant, Authorized, Caller
from entries.api.errors import ERRORS, ApiError, ErrorBody, error_response
from entries.api.events import Gathered, event_json
from entries.api.schemas import Completion, CompletionIn, ModelCard, ModelList, OpenAIMessage
from entries.api.streaming import EventPump, Failed

router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], responses=ERRORS)
LOCAL = "local"
KB_PREFIX = "kb/"


@router.get("/models", response_model=ModelList, summary="Models (OpenAI format)")
def models(assistant: Assistant, caller: Authorized) -> ModelList:
    """``local`` and one ``kb/<name>`` per knowledge base this key may use."""
    cards = [ModelCard(id=LOCAL, created=0)]
    for kb in assistant.library.knowledge_bases():
        if caller.may_use(kb.id):
            cards.append(ModelCard(id=KB_PREFIX + kb.name, created=int(kb.created_at)))
    return ModelList(data=cards)


def _text(message: OpenAIMessage) -> str:
    """A message's text (content may be a string or a list of parts; only text parts are read)."""
    if isinstance(message.content, str):
        return message.content
    parts = message.content or []
    return "".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


def _options(assistant: LocalAIAssistant, caller: Caller, model: str, system: str) -> AskOptions:
    preset = {"preset": "custom", "custom_prompt": system} if system else {}
    if model == LOCAL:
        return AskOptions(use_documents=False, collection="", **preset)
    if model.startswith(KB_PREFIX):
        name = model[len(KB_PREFIX) :]
        missing = f'There is no model "{model}": no knowledge base called "{name}".'
        found = lookup.knowledge_base(assistant, caller, name, missing)
        return AskOptions(collection=found.id, **preset)
    raise ApiError(404, f'There is no model "{model}"; use "local" or "kb/<knowledge base name>".')


def _begin(assistant: LocalAIAssistant, caller: Caller, body: CompletionIn) -> tuple[str, str, AskOptions]:
    """A chat holding the request's earlier messages, the question (its last user message) and
    the options its model stands for."""
    if not body.messages or body.messages[-1].role != "user":
        raise ApiError(422, "The last message must be the user's question.")
    system = "\n".join(_text(m) for m in body.messages if m.role in ("system", "developer")).strip()
    options = _options(assistant, caller, body.model, system)
    question = lookup.message(assistant, _text(body.messages[-1]))
    conv = assistant.chats.new(caller.owner, options.collection)
    first = True
    for m in body.messages[:-1]:
        if m.role == "user":
            assistant.chats.add_question(conv.id, _text(m), first)
            first = False
        elif m.role == "assistant":
            assistant.chats.add_answer(conv.id, _text(m))
    return conv.id, question, options


def _extras(gathered: Gathered) -> dict[str, Any]:
    return {
        "sources": gathered.sources,
        "unsupported_figures": gathered.unsupported_figures,
        "computed": gathered.computed,
        "notices": gathered.notices,
    }


@router.post(
    "/chat/completions",
    summary="Chat completion (OpenAI format, streamed or not)",
    responses={
        200: {
            "model": Completion,
            "content": {"text/event-stream": {}},
            "description": "a chat.completion, or (stream) its chat.completion.chunk events",
        },
        503: {"model": ErrorBody, "description": "no language model could answer"},
    },
)
async def chat_completions(body: CompletionIn, assistant: Assistant, caller: Authorized) -> Any:
    conversation_id, question, options = await run_in_threadpool(_begin, assistant, caller, body)
    pump = EventPump(assistant.answers.ask(conversation_id, question, options))
    reply = _Reply(body.model)
    if not body.stream:
        try:
            gathered = Gathered()
            async for event in pump:
                if isinstance(event, Failed):
                    raise ApiError(500, "The server failed on this answer; the log says why.")
                gathered.add(event)
        finally:
            pump.stop()
            _forget(assistant, conversation_id, pump)
        if gathered.failed:
            return error_response(503, gathered.error or "No answer came.")
        return JSONResponse(reply.whole(gathered))

    # Until the first word, an answer may still fail as a whole: then the reply is an error
    # status the client raises, not a stream.
    ahead: list[Any] = []
    while (event := await pump.next()) is not None:
        ahead.append(event)
        if isinstance(event, Error) and not event.partial:
            pump.stop()
            _forget(assistant, conversation_id, pump)
            return error_response(503, event.text)
        if isinstance(event, (Token, Done, Failed)):
            break

    async def all_events() -> AsyncIterator[Any]:
        for event in ahead:
            yield event
        async for event in pump:
            yield event

    async def chunks() -> AsyncIterator[str]:
        gathered = Gathered()
        try:
            yield reply.chunk({"role": "assistant", "content": ""})
            async for event in all_events():
                if isinstance(event, Failed):
                    yield reply.chunk(
                        {}, "stop", {"error": _stream_error("The server failed on this answer.")}
                    )
                    break
                named = event_json(event)
                if named is None:
                    continue
                name, data = named
                gathered.add_named(name, data)
                if name == "token":
                    yield reply.chunk({"content": data["text"]})
                elif name in ("sources", "computed"):
                    yield reply.chunk({}, extra=data)
                elif name == "notice":
                    yield reply.chunk({}, extra={"notice": data["text"]})
                elif name == "error":  # part of the answer was sent: the client raises this
                    yield reply.chunk({}, "stop", {"error": _stream_error(data["message"])})
                elif name == "done":
                    extra = {**_extras(gathered), "answer": data["answer"], "stats": gathered.stats}
                    yield reply.chunk({}, "length" if data["cut_off"] else "stop", extra)
            _forget(assistant, conversation_id, pump)  # gone before the client reads the end
            yield "data: [DONE]\n\n"
        finally:
            pump.stop()
            _forget(assistant, conversation_id, pump)

    return StreamingResponse(chunks(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _stream_error(message: str) -> dict[str, str]:
    """An error in a stream, as OpenAI's clients read it (they raise it)."""
    return {"message": message, "type": "stream_error"}


def _forget(assistant: LocalAIAssistant, conversation_id: str, pump: EventPump) -> None:
    """Delete the request's chat: now if its answer has ended, else once it has (in a thread: the
    request may be being cancelled). Deleting it twice does nothing more."""

    def forget() -> None:
        pump.finished.wait()
        assistant.chats.delete(conversation_id)

    if pump.finished.is_set():
        forget()
    else:
        threading.Thread(target=forget, name="api-forget", daemon=True).start()


class _Reply:
    """The OpenAI shapes of one answer."""

    def __init__(self, model: str):
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.created = int(time.time())
        self.model = model

    def whole(self, gathered: Gathered) -> dict[str, Any]:
        stats = gathered.stats or {}
        prompt, completion = int(stats.get("prompt_tokens", 0)), int(stats.get("completion_tokens", 0))
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": gathered.answer},
                    "finish_reason": "length" if gathered.cut_off else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
            **_extras(gathered),
            **({"error": gathered.error} if gathered.error else {}),
        }

    def chunk(
        self, delta: dict[str, Any], finish: str | None = None, extra: dict[str, Any] | None = None
    ) -> str:
        data = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **(extra or {}),
        }
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"
