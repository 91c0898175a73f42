"""Knowledge bases: list, create, rename, delete, re-index, search."""

from __future__ import annotations

from fastapi import APIRouter, Response

from entries.api import lookup
from entries.api.auth import Assistant, Authorized
from entries.api.errors import ERRORS, ApiError
from entries.api.schemas import Hit, KnowledgeBaseIn, KnowledgeBaseOut, ReindexOut, SearchIn, SearchOut

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
def get_knowledge_base(kb: str, assistant: Assistant, caller: Authorized) -> KnowledgeBaseOut:
    """``kb`` is its name or id."""
    return _out(lookup.knowledge_base(assistant, caller, kb))


@router.patch("/{kb}", response_model=KnowledgeBaseOut, summary="Rename a knowledge base")
def rename_knowledge_base(
    kb: str, body: KnowledgeBaseIn, assistant: Assistant, caller: Authorized
) -> KnowledgeBaseOut:
    found = lookup.knowledge_base(assistant, caller, kb)
    assistant.library.rename(found.id, body.name)
    return _out(lookup.knowledge_base(assistant, caller, found.id))


@router.delete("/{kb}", status_code=204, summary="Delete a knowledge base and its documents")
def delete_knowledge_base(kb: str, assistant: Assistant, caller: Authorized) -> Response:
    """Chats that answered from it answer from none. "My documents" cannot be deleted (422)."""
    found = lookup.knowledge_base(assistant, caller, kb)
    assistant.library.delete(found.id)
    return Response(status_code=204)


@router.post("/{kb}/reindex", response_model=ReindexOut, summary="Re-index every document")
def reindex(kb: str, assistant: Assistant, caller: Authorized) -> ReindexOut:
    """Re-chunk and re-embed its documents with the current settings (as the page's Re-index all)."""
    found = lookup.knowledge_base(assistant, caller, kb)
    return ReindexOut(chunks=assistant.library.reindex(found.id))


@router.post("/{kb}/search", response_model=SearchOut, summary="Search passages")
def search(kb: str, body: SearchIn, assistant: Assistant, caller: Authorized) -> SearchOut:
    """The passages most relevant to ``query``, best first, each with its file, page and relevance
    (0-1); none when nothing is relevant."""
    found = lookup.knowledge_base(assistant, caller, kb)
    query = lookup.message(assistant, body.query, "a query")
    hits = assistant.library.search(query, body.k, found.id)
    return SearchOut(hits=[Hit(**h.as_json()) for h in hits])
