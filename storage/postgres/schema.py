"""The knowledge base's PostgreSQL tables, one schema per knowledge base, and their version.

Each knowledge base is its own schema (``kb_<collection>``) rather than rows tagged with a
collection column: each gets its own HNSW and keyword index, so a k-NN search never has to
filter out other knowledge bases' vectors (an HNSW scan filtered by a column can return fewer than
k rows), its generation counter moves only with its own writes, and deleting it is one
``DROP SCHEMA ... CASCADE``.
"""

from __future__ import annotations

import hashlib
import re

import psycopg
from psycopg import sql

from storage.base import StorageError
from storage.postgres import terms
from storage.postgres.connection import where

SCHEMA_VERSION = 2
DIMENSIONS = 384  # the embedder's (retrieval/embeddings/embedder.py); storage may not import it

#: HNSW graph links per node and build depth, above pgvector's 16 / 64: with many near-alike
#: passages (30,000 chunks, 42 noisy copies of each filing) the defaults found 0.30 of the 100
#: nearest at ef_search 200, these 0.99 at the same query time (BENCHMARKS.md, issue 23).
HNSW = "WITH (m = 32, ef_construction = 128)"

TABLES = f"""
CREATE TABLE schema_version (version integer NOT NULL);
CREATE TABLE documents (
    id text PRIMARY KEY,
    name text NOT NULL,
    sha256 text NOT NULL UNIQUE,
    title text NOT NULL DEFAULT '',
    profile jsonb NOT NULL DEFAULT '{{}}',
    size_bytes bigint NOT NULL,
    pages integer NOT NULL,
    empty_pages jsonb NOT NULL DEFAULT '[]',
    added_at double precision NOT NULL,
    ocr_pages jsonb NOT NULL DEFAULT '[]',
    unit text NOT NULL DEFAULT 'page'
);
CREATE TABLE pages (
    doc_id text NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number integer NOT NULL,
    text text NOT NULL,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE chunks (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL,
    doc_id text NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_start integer NOT NULL,
    page_end integer NOT NULL,
    text text NOT NULL,
    context text NOT NULL DEFAULT '',
    embedding vector({DIMENSIONS}) NOT NULL,
    length integer NOT NULL DEFAULT 0
);
CREATE INDEX chunks_by_doc ON chunks (doc_id, seq);
CREATE INDEX chunks_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) {HNSW};
CREATE TABLE generation (value bigint NOT NULL);
INSERT INTO generation VALUES (0);
"""

#: Version 2: keywords as bm25s counts them (storage/keyword_terms.py): each chunk's {term: tf}
#: and token count (``length``), and the chunk count and total length kept by triggers in the
#: same transaction as every write, so BM25 needs no scan.
KEYWORDS = """
CREATE TABLE chunk_terms (
    term text NOT NULL,
    seq bigint NOT NULL REFERENCES chunks(seq) ON DELETE CASCADE,
    tf integer NOT NULL,
    length integer NOT NULL,  -- the chunk's, beside each posting: BM25 reads no chunk row
    PRIMARY KEY (term, seq) INCLUDE (tf, length)  -- BM25 by an index-only scan of its terms
);
CREATE INDEX chunk_terms_by_chunk ON chunk_terms (seq);
CREATE TABLE keyword_stats (chunks bigint NOT NULL, total_length bigint NOT NULL);
INSERT INTO keyword_stats SELECT count(*), coalesce(sum(length), 0) FROM chunks;
CREATE FUNCTION keyword_stats_follow() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE keyword_stats SET chunks = chunks + (SELECT count(*) FROM new_rows),
            total_length = total_length + (SELECT coalesce(sum(length), 0) FROM new_rows);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE keyword_stats SET chunks = chunks - (SELECT count(*) FROM old_rows),
            total_length = total_length - (SELECT coalesce(sum(length), 0) FROM old_rows);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER chunks_added AFTER INSERT ON chunks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION keyword_stats_follow();
CREATE TRIGGER chunks_removed AFTER DELETE ON chunks REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION keyword_stats_follow();
CREATE TRIGGER chunks_changed AFTER UPDATE ON chunks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION keyword_stats_follow();
"""

#: From version 1: the full-text column gives way to the keyword tables (filled by ``ensure``).
FROM_VERSION_1 = f"""
ALTER TABLE chunks DROP COLUMN search;
ALTER TABLE chunks ADD COLUMN length integer NOT NULL DEFAULT 0;
DROP INDEX chunks_by_doc;
CREATE INDEX chunks_by_doc ON chunks (doc_id, seq);
DROP INDEX chunks_hnsw;
CREATE INDEX chunks_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) {HNSW};
{KEYWORDS}
UPDATE schema_version SET version = 2;
"""


def schema_name(collection: str) -> str:
    """The PostgreSQL schema of a knowledge base: ``kb_`` and its id, made a safe identifier."""
    safe = re.sub(r"[^a-z0-9_]", "_", collection.lower())
    if len(safe) > 40 or safe != collection.lower():  # keep distinct ids distinct
        safe = f"{safe[:40]}_{hashlib.sha256(collection.encode()).hexdigest()[:8]}"
    return f"kb_{safe}"


def ensure(db: psycopg.Connection, schema: str, url: str) -> None:
    """Create the schema on first use; refuse one of another version or a database without
    pgvector, saying what to run. Call inside a transaction."""
    _ensure_vector(db, url)
    db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (schema,))  # two first opens at once
    exists = db.execute(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = 'schema_version'",
        (schema,),
    ).fetchone()
    ident = sql.Identifier(schema)
    if not exists:
        db.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident))
        db.execute(sql.SQL("SET LOCAL search_path TO {}, public").format(ident))
        db.execute(TABLES + KEYWORDS)
        db.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION,))
        return
    row = db.execute(sql.SQL("SELECT max(version) FROM {}.schema_version").format(ident)).fetchone()
    version = row[0] if row else None
    if version == 1:
        _upgrade_from_1(db, ident)
    elif version != SCHEMA_VERSION:
        raise _wrong_version(schema, version, url)


def _upgrade_from_1(db: psycopg.Connection, ident: sql.Identifier) -> None:
    """Add the keyword tables and count every stored chunk's terms (no re-embedding)."""
    db.execute(sql.SQL("SET LOCAL search_path TO {}, public").format(ident))
    db.execute(FROM_VERSION_1)
    for (doc_id,) in db.execute("SELECT id FROM documents ORDER BY added_at").fetchall():
        terms.index_document(db, doc_id)


def _ensure_vector(db: psycopg.Connection, url: str) -> None:
    if db.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone():
        return
    try:
        with db.transaction():  # a savepoint: a refusal leaves the outer transaction usable
            db.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as e:
        reason = str(e).strip().splitlines()[0]
        raise StorageError(
            f"The knowledge base {where(url)} lacks the pgvector extension ({reason}). "
            "Install pgvector on the server, then run `CREATE EXTENSION vector;` in that database "
            "as a superuser."
        ) from None


def _wrong_version(schema: str, version: int | None, url: str) -> StorageError:
    if version is not None and version > SCHEMA_VERSION:
        return StorageError(
            f"The knowledge base {schema} in {where(url)} was made by a newer release (schema "
            f"version {version}; this one knows {SCHEMA_VERSION}). Please upgrade the app."
        )
    return StorageError(
        f"The knowledge base {schema} in {where(url)} has schema version {version} and this release "
        f"needs {SCHEMA_VERSION}, with no automatic upgrade. Back it up, run "
        f'`DROP SCHEMA "{schema}" CASCADE;` and add the documents again.'
    )
