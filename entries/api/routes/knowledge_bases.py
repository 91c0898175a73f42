"""Knowledge bases: list, create, rename, delete, re-index, search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from entries.api import lookup
from entries.api.auth import Assistant, Authorized
from entries.api.errors import ERRORS, ApiError
from entries.api.jobs import job_out
from entries.api.lookup import NamedKnowledgeBase
from entries.api.schemas import Hit, JobOut, KnowledgeBaseIn, KnowledgeBaseOut, SearchIn, SearchOut

router = APIRouter(prefix="/v1/knowledge-bases", tags=["knowledge bases"], responses=ERRORS)


def _out(collection) -> KnowledgeBaseOut:
    return KnowledgeBaseOut(id=collection.id, name=collection.name, created_at=collection.created_at)


@router.get("", response_model=list[KnowledgeBaseOut], summary="List knowledge bases")
def list_knowledge_bases(assistant: Assistant, caller: Authorized) -> list[KnowledgeBaseOut]:
    """Every knowledge base this key may use, "My documents" first."""
    return [_out(c) for c in assistant.library.knowledge_bases() if caller.may_use(c.id)]


@router.post("", response_model=KnowledgeBaseOut, status_code=201, summary="Create a knowledge base")
def create_knowledge_base(
    body: KnowledgeBaseIn, assistant: Assistant, caller: Authorized
) -> KnowledgeBaseOut:
    if caller.limited:
        raise ApiError(403, "This API key is limited to some knowledge bases and may not create others.")
    return _out(assistant.library.create(body.name))


@router.get("/{kb}", response_model=KnowledgeBaseOut, summary="Get a knowledge base")
def get_knowledge_base(found: NamedKnowledgeBase) -> KnowledgeBaseOut:
    """``kb`` is its name or id."""
    return _out(found)


@router.patch("/{kb}", response_model=KnowledgeBaseOut, summary="Rename a knowledge base")
def rename_knowledge_base(
    found: NamedKnowledgeBase, body: KnowledgeBaseIn, assistant: Assistant, caller: Authorized
) -> KnowledgeBaseOut:
    assistant.library.rename(found.id, body.name)
    return _out(lookup.knowledge_base(assistant, caller, found.id))


@router.delete("/{kb}", status_code=204, summary="Delete a knowledge base and its documents")
def delete_knowledge_base(found: NamedKnowledgeBase, assistant: Assistant) -> Response:
    """Chats that answered from it answer from none. "My documents" cannot be deleted (422)."""
    assistant.library.delete(found.id)
    return Response(status_code=204)


@router.post("/{kb}/reindex", response_model=JobOut, status_code=202, summary="Re-index every document")
async def reindex(
    found: NamedKnowledgeBase,
    request: Request,
    caller: Authorized,
    wait: Annotated[bool, Query(description="Answer when it is done (200), not at once (202).")] = False,
) -> JSONResponse:
    """Re-chunk and re-embed its documents' stored text with the current settings, as the page's
    Re-index all: a job with a row per document, polled as ``GET /v1/jobs/{id}`` (or pass
    ``wait=true``), queued after the uploads before it; the other documents are searched as before
    meanwhile. ``POST .../documents/{doc_id}/reindex`` reads one document again from its file."""
    job = request.app.state.jobs.reindex(caller.owner, found.id)
    if wait:
        await run_in_threadpool(job.finished.wait)
    return JSONResponse(job_out(job).model_dump(), status_code=200 if wait else 202)


@router.post("/{kb}/search", response_model=SearchOut, summary="Search passages")
def search(found: NamedKnowledgeBase, body: SearchIn, assistant: Assistant) -> SearchOut:
    """The passages most relevant to ``query``, best first, each with its file, page and relevance
    (0-1); none when nothing is relevant."""
    query = lookup.message(assistant, body.query, "a query")
    hits = assistant.library.search(query, body.k, found.id)
    return SearchOut(hits=[Hit(**h.as_json()) for h in hits])
