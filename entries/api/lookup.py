"""Finding what a request names, for this caller: 404 when it does not exist (or is another
key's), 403 when the caller's key may not use it. ``NamedKnowledgeBase``, ``NamedDocument`` and
``NamedConversation`` are the same as route dependencies, for what a route's path names."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path

from core.assistant import LocalAIAssistant
from core.chats import Conversation
from core.library import DEFAULT, Collection
from entries.api.auth import Assistant, Authorized, Caller
from entries.api.errors import ApiError
from errors import UserInputError


def knowledge_base(
    assistant: LocalAIAssistant, caller: Caller, name_or_id: str, missing: str = ""
) -> Collection:
    """The knowledge base called (or with the id) ``name_or_id``; ``missing`` is the 404's message."""
    found = assistant.library.find(name_or_id)
    if found is None:
        raise ApiError(404, missing or f'There is no knowledge base called "{name_or_id}".')
    caller.check(found.id, found.name)
    return found


def document(assistant: LocalAIAssistant, found: Collection, doc_id: str) -> Any:
    """The document ``doc_id`` of the knowledge base ``found``."""
    doc = assistant.library.document(doc_id, found.id)
    if doc is None:
        raise ApiError(404, f'There is no document "{doc_id}" in "{found.name}".')
    return doc


def chosen_knowledge_base(assistant: LocalAIAssistant, caller: Caller, name_or_id: str | None) -> str:
    """The id a chat answers from: the one named, none for "", else My documents (for a key
    limited to some knowledge bases, the first of them)."""
    if name_or_id == "":
        return ""
    if name_or_id is not None:
        return knowledge_base(assistant, caller, name_or_id).id
    if caller.key is not None and caller.key.knowledge_bases and not caller.may_use(DEFAULT):
        return caller.key.knowledge_bases[0]
    return DEFAULT


def conversation(assistant: LocalAIAssistant, caller: Caller, conversation_id: str) -> Conversation:
    """The chat, if this caller may see it (its own, or one shared by the command line)."""
    found = assistant.chats.get(conversation_id, owner=caller.owner)
    if found is None:
        raise ApiError(404, f'There is no conversation "{conversation_id}".')
    return found


def message(assistant: LocalAIAssistant, text: str, what: str = "a message") -> str:
    """The text to send: 413 when it is longer than the page allows, 422 when it is empty."""
    try:
        checked = assistant.answers.validate_message(text)
    except UserInputError as e:
        raise ApiError(413, str(e)) from e
    if checked is None:
        raise ApiError(422, f"Give {what}; it is empty.")
    return checked


def _named_knowledge_base(
    kb: Annotated[str, Path(description="The knowledge base's name or id.")],
    assistant: Assistant,
    caller: Authorized,
) -> Collection:
    return knowledge_base(assistant, caller, kb)


NamedKnowledgeBase = Annotated[Collection, Depends(_named_knowledge_base)]
"""The knowledge base ``{kb}`` in the path (404, 403)."""


def _named_document(
    doc_id: Annotated[str, Path(description="The document's id (the sha256 of its file).")],
    found: NamedKnowledgeBase,
    assistant: Assistant,
) -> Any:
    return document(assistant, found, doc_id)


NamedDocument = Annotated[Any, Depends(_named_document)]
"""The document ``{doc_id}`` of the knowledge base ``{kb}`` in the path (404, 403)."""


def _named_conversation(conversation_id: str, assistant: Assistant, caller: Authorized) -> Conversation:
    return conversation(assistant, caller, conversation_id)


NamedConversation = Annotated[Conversation, Depends(_named_conversation)]
"""The conversation ``{conversation_id}`` in the path, if this caller may see it (404)."""
