"""Conversations: list, start, get with their messages, rename, delete, export as Markdown. Each
API key sees its own (and those the command line shares with everyone)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse

from core.chats import Conversation
from entries.api import lookup
from entries.api.auth import Assistant, Authorized
from entries.api.errors import ERRORS
from entries.api.lookup import NamedConversation
from entries.api.schemas import ConversationIn, ConversationOut, ConversationWithMessages, MessageOut, TitleIn

router = APIRouter(prefix="/v1/conversations", tags=["conversations"], responses=ERRORS)


def _out(conv: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conv.id,
        title=conv.title,
        created_at=conv.created_at,
        updated_at=conv.updated_at,
        knowledge_base=conv.collection,
    )


@router.get("", response_model=list[ConversationOut], summary="List conversations")
def list_conversations(assistant: Assistant, caller: Authorized) -> list[ConversationOut]:
    """Most recently active first."""
    return [_out(c) for c in assistant.chats.list(caller.owner)]


@router.post("", response_model=ConversationOut, status_code=201, summary="Start a conversation")
def new_conversation(body: ConversationIn, assistant: Assistant, caller: Authorized) -> ConversationOut:
    collection = lookup.chosen_knowledge_base(assistant, caller, body.knowledge_base)
    return _out(assistant.chats.new(caller.owner, collection))


@router.get("/{conversation_id}", response_model=ConversationWithMessages, summary="Get a conversation")
def get_conversation(conv: NamedConversation, assistant: Assistant) -> ConversationWithMessages:
    messages = [
        MessageOut(
            id=m.id,
            role=m.role,
            content=m.content,
            created_at=m.created_at,
            sources=m.meta.get("sources", []),
            cut_off=bool(m.meta.get("cut_off")),
            cut_off_reason=str(m.meta.get("cut_off_reason", "")),
        )
        for m in assistant.chats.messages(conv.id)
    ]
    return ConversationWithMessages(**_out(conv).model_dump(), messages=messages)


@router.patch("/{conversation_id}", response_model=ConversationOut, summary="Rename a conversation")
def rename_conversation(
    conv: NamedConversation, body: TitleIn, assistant: Assistant, caller: Authorized
) -> ConversationOut:
    assistant.chats.rename(conv.id, body.title)
    return _out(lookup.conversation(assistant, caller, conv.id))


@router.delete("/{conversation_id}", status_code=204, summary="Delete a conversation")
def delete_conversation(conv: NamedConversation, assistant: Assistant) -> Response:
    """With its messages and its stored spoken replies."""
    assistant.chats.delete(conv.id)
    return Response(status_code=204)


@router.get(
    "/{conversation_id}/export",
    response_class=PlainTextResponse,
    summary="Export a conversation as Markdown",
    responses={200: {"content": {"text/markdown": {}}}},
)
def export_conversation(conv: NamedConversation, assistant: Assistant) -> PlainTextResponse:
    return PlainTextResponse(assistant.chats.export_markdown(conv.id), media_type="text/markdown")
