"""Who is calling: the API key sent as ``Authorization: Bearer <key>`` (required when the server
is open to the network, optional on loopback unless ``API_REQUIRE_KEYS`` is set), and what that
key may use (its knowledge bases; its own chats)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.api_keys import ApiKey
from core.assistant import LocalAIAssistant
from entries.api.errors import ApiError

bearer = HTTPBearer(auto_error=False, description="An API key from `cli.py api-key create NAME`.")
ANONYMOUS = "api"
"""Owner of the chats made without a key (on loopback, when keys are optional)."""


@dataclass(frozen=True)
class Caller:
    """The key a request came with (None: no key, allowed on loopback)."""

    key: ApiKey | None

    @property
    def owner(self) -> str:
        """Whose chats these are: each key sees only its own (and the shared ones)."""
        return f"api:{self.key.name}" if self.key else ANONYMOUS

    @property
    def limited(self) -> bool:
        return self.key is not None and bool(self.key.knowledge_bases)

    def may_use(self, collection: str) -> bool:
        return self.key is None or self.key.may_use(collection)

    def check(self, collection: str, name: str) -> None:
        """403 when this key is not allowed the knowledge base ``collection`` (called ``name``)."""
        if not self.may_use(collection):
            raise ApiError(403, f'This API key may not use the knowledge base "{name}".')


def assistant_of(request: Request) -> LocalAIAssistant:
    return request.app.state.assistant


def caller(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    """The caller, or 401: a missing key where one is required, or a key that is wrong or revoked."""
    challenge = {"WWW-Authenticate": "Bearer"}
    header = request.headers.get("authorization")
    if header is None:
        if request.app.state.require_keys:
            raise ApiError(401, "This API needs a key: send 'Authorization: Bearer <key>'.", challenge)
        return Caller(None)
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "Send the key as 'Authorization: Bearer <key>'.", challenge)
    key = assistant_of(request).api_keys.verify(credentials.credentials)
    if key is None:
        raise ApiError(401, "That API key is not valid (wrong, or revoked).", challenge)
    return Caller(key)


Assistant = Annotated[LocalAIAssistant, Depends(assistant_of)]
Authorized = Annotated[Caller, Depends(caller)]
