"""Chat: a question in a conversation, answered from its knowledge base; the whole answer as
JSON, or the same events the page renders as Server-Sent Events."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from core.assistant import LocalAIAssistant
from core.options import AskOptions
from entries.api import lookup
from entries.api.auth import Assistant, Authorized, Caller
from entries.api.errors import ERRORS, ApiError, ErrorBody
from entries.api.events import Gathered, event_json, sse
from entries.api.schemas import ChatIn, ChatOut
from entries.api.streaming import EventPump, Failed

router = APIRouter(prefix="/v1/chat", tags=["chat"], responses=ERRORS)
EVENTS = (
    "Server-Sent Events, in order: `conversation` {conversation_id}, then as the answer goes: "
    "`sources` {sources}, `computed` {computed}, `notice` {text}, `token` {text}, `check` "
    "{answer, unsupported_figures, citations_added, degenerate}, `error` {message, partial}, "
    "`stats` {...}, and last `done` {message_id, answer, cut_off}."
)


def prepare(assistant: LocalAIAssistant, caller: Caller, body: ChatIn) -> tuple[str, str, AskOptions]:
    """The conversation (made when none is named), the checked message and the options."""
    text = lookup.message(assistant, body.message)
    if body.conversation_id:
        conv = lookup.conversation(assistant, caller, body.conversation_id)
        collection = conv.collection
        if body.knowledge_base is not None:
            collection = lookup.chosen_knowledge_base(assistant, caller, body.knowledge_base)
            assistant.chats.set_knowledge_base(conv.id, collection)
        elif collection and not caller.may_use(collection):
            found = assistant.library.find(collection)
            caller.check(collection, found.name if found else collection)
        conversation_id = conv.id
    else:
        collection = lookup.chosen_knowledge_base(assistant, caller, body.knowledge_base)
        conversation_id = assistant.chats.new(caller.owner, collection).id
    options = AskOptions(
        backend=body.backend,
        ollama_model=body.model if body.backend in ("ollama", "auto") else "",
        openai_model=body.model if body.backend == "openai" else "",
        gguf_path=body.model if body.backend == "embedded" else "",
        preset=body.preset,
        use_documents=bool(collection),
        collection=collection,
        documents_only=body.documents_only,
    )
    return conversation_id, text, options


@router.post(
    "",
    response_model=ChatOut,
    summary="Ask and get the whole answer",
    responses={503: {"model": ErrorBody, "description": "no language model could answer"}},
)
def chat(body: ChatIn, assistant: Assistant, caller: Authorized) -> ChatOut:
    """The answer with its [n] citations, its sources (file, page, relevance), figures computed
    in code, figures not found in the sources, notes and timings. 503 when no backend answered."""
    conversation_id, text, options = prepare(assistant, caller, body)
    gathered = Gathered()
    for event in assistant.answers.ask(conversation_id, text, options):
        gathered.add(event)
    if gathered.failed:
        raise ApiError(503, gathered.error or "No answer came.")
    return ChatOut(
        conversation_id=conversation_id,
        message_id=gathered.message_id,
        answer=gathered.answer,
        cut_off=gathered.cut_off,
        sources=gathered.sources,
        computed=gathered.computed,
        unsupported_figures=gathered.unsupported_figures,
        notices=gathered.notices,
        stats=gathered.stats,
        error=gathered.error,
    )


@router.post(
    "/stream",
    summary="Ask and stream the answer (Server-Sent Events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": EVENTS}},
)
async def chat_stream(body: ChatIn, assistant: Assistant, caller: Authorized) -> StreamingResponse:
    """The same events the page renders, as they happen. A client that disconnects stops the
    answer; what was written so far is stored, marked stopped, as the page's Stop does."""
    conversation_id, text, options = await run_in_threadpool(prepare, assistant, caller, body)
    pump = EventPump(assistant.answers.ask(conversation_id, text, options))

    async def events() -> AsyncIterator[str]:
        try:
            yield sse("conversation", {"conversation_id": conversation_id})
            async for event in pump:
                if isinstance(event, Failed):
                    yield sse("error", {"message": "The server failed on this answer.", "partial": True})
                    continue
                named = event_json(event)
                if named is not None:
                    yield sse(*named)
        finally:
            pump.stop()

    return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
