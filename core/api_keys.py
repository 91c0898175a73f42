"""API keys for the HTTP API: made once (the key is shown once and only its sha256 is kept),
listed, revoked, and checked on every request; a key may be limited to named knowledge bases."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from errors import UserInputError
from storage.api_keys import ApiKeyStore, StoredKey
from storage.collections import KnowledgeBaseList

PREFIX = "la-"
"""Every key starts with this (so a key pasted in the wrong place is recognisable)."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$")


@dataclass(frozen=True)
class ApiKey:
    """A key as the API and ``cli.py api-key list`` see it (never the key itself)."""

    name: str
    knowledge_bases: tuple[str, ...]  # ids; () = every knowledge base
    created_at: float

    def may_use(self, collection: str) -> bool:
        return not self.knowledge_bases or collection in self.knowledge_bases


def digest(key: str) -> str:
    """What is stored of a key: its sha256, hex."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeys:
    """Create, list, revoke and verify the HTTP API's keys."""

    def __init__(self, data_dir: Path, collections: Callable[[], KnowledgeBaseList]):
        """``collections`` gives the knowledge-base list (opened on first use, as the library does)."""
        self._path = Path(data_dir) / "api_keys.sqlite3"
        self._opened: ApiKeyStore | None = None
        self._collections = collections

    @property
    def _store(self) -> ApiKeyStore:
        """The key file, created on first use (the page never makes one)."""
        if self._opened is None:
            self._opened = ApiKeyStore(self._path)
        return self._opened

    def create(self, name: str, knowledge_bases: list[str] | None = None) -> tuple[str, ApiKey]:
        """A new key called ``name`` (letters, digits, ``_.-``), limited to the knowledge bases
        named (by name or id; none: every one). Returns the key, which is not kept, and its record."""
        name = name.strip()
        if not _NAME.match(name):
            raise UserInputError("A key's name is 1-60 letters, digits, '_', '.' or '-', e.g. laptop-editor.")
        ids = tuple(dict.fromkeys(self._collection_id(kb) for kb in knowledge_bases or []))
        key = PREFIX + secrets.token_urlsafe(32)  # 32 random bytes
        stored = self._store.add(name, digest(key), ids)
        if stored is None:
            raise UserInputError(
                f'There is already a key called "{name}"; revoke it first or pick another name.'
            )
        return key, _public(stored)

    def list(self) -> list[ApiKey]:
        return [_public(k) for k in self._store.list()]

    def revoke(self, name: str) -> None:
        """Remove the key: requests that send it are refused from now on."""
        if not self._store.delete(name):
            raise UserInputError(f'There is no key called "{name}".')

    def verify(self, key: str) -> ApiKey | None:
        """The key's record, or None for a key that was never made or was revoked."""
        if not key.startswith(PREFIX):
            return None
        stored = self._store.by_hash(digest(key))
        return _public(stored) if stored else None

    def exist(self) -> bool:
        """Whether any key has been made (an API open to the network needs one)."""
        return bool(self._store.list())

    def _collection_id(self, name_or_id: str) -> str:
        collections = self._collections()
        found = collections.get(name_or_id) or collections.find(name_or_id)
        if found is None:
            raise UserInputError(f'No knowledge base called "{name_or_id}".')
        return found.id


def _public(key: StoredKey) -> ApiKey:
    return ApiKey(key.name, key.collections, key.created_at)
