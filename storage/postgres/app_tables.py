"""The app's own PostgreSQL tables beside the knowledge bases' schemas: the list of knowledge
bases and the conversations with their messages, in one schema (``assistant_app``), versioned
like a knowledge base's (storage/postgres/schema.py) and created on first use."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from storage.base import StorageError
from storage.postgres.connection import pool, where

SCHEMA = "assistant_app"
VERSION = 1

_TABLES = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE {SCHEMA}.schema_version (version integer NOT NULL);
CREATE TABLE {SCHEMA}.collections (
    id text PRIMARY KEY,
    name text NOT NULL,
    created_at double precision NOT NULL
);
CREATE UNIQUE INDEX collections_by_name ON {SCHEMA}.collections (lower(name));
CREATE TABLE {SCHEMA}.conversations (
    seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    id text PRIMARY KEY,
    title text NOT NULL,
    created_at double precision NOT NULL,
    updated_at double precision NOT NULL,
    owner text NOT NULL DEFAULT '',
    collection text NOT NULL DEFAULT 'default'
);
CREATE INDEX conversations_by_owner ON {SCHEMA}.conversations (owner, updated_at);
CREATE TABLE {SCHEMA}.messages (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id text NOT NULL REFERENCES {SCHEMA}.conversations(id) ON DELETE CASCADE,
    role text NOT NULL,
    content text NOT NULL,
    meta jsonb NOT NULL DEFAULT '{{}}',
    created_at double precision NOT NULL
);
CREATE INDEX messages_by_conversation ON {SCHEMA}.messages (conversation_id, id);
"""

_ready: set[str] = set()
_lock = threading.Lock()


def ready(url: str) -> None:
    """Make sure the app's tables exist in the database at ``url`` (once per process); refuse a
    schema made by another release, saying what to do."""
    with _lock:
        if url in _ready:
            return
        with pool(url).connection() as db, db.transaction():
            db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (SCHEMA,))  # two first opens
            exists = db.execute(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = %s "
                "AND table_name = 'schema_version'",
                (SCHEMA,),
            ).fetchone()
            if not exists:
                db.execute(_TABLES)
                db.execute(f"INSERT INTO {SCHEMA}.schema_version VALUES (%s)", (VERSION,))
            else:
                row = db.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version").fetchone()
                _check_version(row[0] if row else None, url)
        _ready.add(url)


def _check_version(version: int | None, url: str) -> None:
    if version == VERSION:
        return
    if version is not None and version > VERSION:
        raise StorageError(
            f"The chats and knowledge-base list in {where(url)} were made by a newer release "
            f"(schema version {version}; this one knows {VERSION}). Please upgrade the app."
        )
    raise StorageError(
        f"The chats and knowledge-base list in {where(url)} have schema version {version} and this "
        f'release needs {VERSION}. Back them up, then run `DROP SCHEMA "{SCHEMA}" CASCADE;`.'
    )


@contextmanager
def connection(url: str) -> Iterator[psycopg.Connection]:
    """A pooled connection to the database at ``url`` with the app's tables in place; its block
    is one transaction."""
    ready(url)
    with pool(url).connection() as db, db.transaction():
        yield db
