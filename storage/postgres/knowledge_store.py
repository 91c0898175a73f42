"""The knowledge store on PostgreSQL: pgvector (HNSW, cosine) for the vectors, each chunk's
keyword terms for BM25 (storage/postgres/terms.py), one schema per knowledge base
(storage/postgres/schema.py); search inside the database is storage/postgres/searching.py.

Every write is one transaction that also bumps the knowledge base's ``generation`` row, so other
processes notice it; a failure anywhere in a transaction leaves nothing of it behind.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from storage.base import (
    ChunkRow,
    CorpusRows,
    DocumentText,
    NewChunk,
    StorageError,
    StoredDocument,
    already_added,
)
from storage.postgres import connection, schema, terms
from storage.postgres.search import vector_text
from storage.postgres.searching import PostgresSearch

_DOCUMENT = (
    "SELECT d.id, d.name, d.sha256, d.title, d.profile, d.size_bytes, d.pages, "
    "(SELECT count(*) FROM chunks c WHERE c.doc_id = d.id), d.empty_pages, d.added_at, d.ocr_pages, d.unit "
    "FROM documents d"
)


class PostgresKnowledgeStore(PostgresSearch):
    """One knowledge base (``collection``) in the PostgreSQL database at ``url``; its search
    inside the database comes from ``PostgresSearch``."""

    def __init__(self, url: str, collection: str):
        self.url = url
        self.schema = schema.schema_name(collection)
        self._pool = connection.pool(url)
        with self._transaction(ensure=True):
            pass

    @contextmanager
    def _transaction(self, ensure: bool = False) -> Iterator[psycopg.Connection]:
        """A pooled connection whose block is one transaction in this knowledge base's schema."""
        try:
            with self._pool.connection() as db:
                with db.transaction():
                    if ensure:
                        schema.ensure(db, self.schema, self.url)
                    db.execute(
                        sql.SQL("SET LOCAL search_path TO {}, public").format(sql.Identifier(self.schema))
                    )
                    yield db
        except psycopg.OperationalError as e:
            raise connection.unreachable(self.url, e) from None
        except psycopg.errors.UndefinedTable:  # its schema was dropped: deleted by another session
            raise StorageError(
                f"The knowledge base {self.schema} in {connection.where(self.url)} was deleted; "
                "choose another one."
            ) from None

    def generation(self) -> int:
        with self._transaction() as db:
            return self._generation(db)

    @staticmethod
    def _generation(db: psycopg.Connection) -> int:
        row = db.execute("SELECT value FROM generation").fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _bump(db: psycopg.Connection) -> None:
        db.execute("UPDATE generation SET value = value + 1")

    @staticmethod
    def _select(
        db: psycopg.Connection, where: str = "", params: tuple[Any, ...] = ()
    ) -> list[StoredDocument]:
        query = f"{_DOCUMENT} {'WHERE ' + where if where else ''} ORDER BY d.added_at"
        return [StoredDocument(*r) for r in db.execute(query, params).fetchall()]

    def documents(self) -> list[StoredDocument]:
        with self._transaction() as db:
            return self._select(db)

    def document(self, doc_id: str) -> StoredDocument | None:
        with self._transaction() as db:
            return next(iter(self._select(db, "d.id = %s", (doc_id,))), None)

    def find(self, sha256: str) -> StoredDocument | None:
        with self._transaction() as db:
            return next(iter(self._select(db, "d.sha256 = %s", (sha256,))), None)

    def chunk_count(self) -> int:
        with self._transaction() as db:
            row = db.execute("SELECT count(*) FROM chunks").fetchone()
            return int(row[0]) if row else 0

    def unprofiled(self) -> list[StoredDocument]:
        with self._transaction() as db:
            return self._select(db, "d.profile = '{}'::jsonb")

    def chunks(self, doc_id: str) -> list[NewChunk]:
        with self._transaction() as db:
            rows = db.execute(
                "SELECT id, page_start, page_end, text, context, embedding::real[] FROM chunks "
                "WHERE doc_id = %s ORDER BY seq",
                (doc_id,),
                binary=True,  # float4[] in binary: the stored float32 values exactly
            ).fetchall()
        return [NewChunk(*r[:5], np.array(r[5], dtype=np.float32)) for r in rows]

    def add(
        self,
        doc_id: str,
        name: str,
        sha256: str,
        size_bytes: int,
        text: DocumentText,
        chunks: list[NewChunk],
        added_at: float | None = None,
    ) -> None:
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO documents (id, name, sha256, title, profile, size_bytes, pages, "
                    f"empty_pages, added_at, ocr_pages, unit) VALUES ({', '.join(['%s'] * 11)})",
                    (
                        doc_id,
                        name,
                        sha256,
                        text.title,
                        Jsonb(text.profile),
                        size_bytes,
                        len(text.pages),
                        Jsonb(text.empty_pages),
                        time.time() if added_at is None else added_at,
                        Jsonb(text.ocr_pages),
                        text.unit,
                    ),
                )
                self._insert_pages(db, doc_id, text.pages)
                self._insert_chunks(db, doc_id, chunks)
                self._bump(db)
        except psycopg.errors.UniqueViolation:  # the UNIQUE sha256 (or the id, which is the sha256)
            raise already_added(name) from None

    def delete(self, doc_id: str) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM documents WHERE id = %s", (doc_id,))
            self._bump(db)

    def pages(self, doc_id: str, first: int = 1, count: int | None = None) -> list[tuple[int, str]]:
        with self._transaction() as db:
            rows = db.execute(
                "SELECT number, text FROM pages WHERE doc_id = %s AND number >= %s ORDER BY number LIMIT %s",
                (doc_id, first, count),
            ).fetchall()
        return [(n, t) for n, t in rows]

    def replace_chunks(self, doc_id: str, profile: dict[str, Any], chunks: list[NewChunk]) -> bool:
        with self._transaction() as db:
            if not db.execute(
                "UPDATE documents SET profile = %s WHERE id = %s", (Jsonb(profile), doc_id)
            ).rowcount:
                return False  # removed while it was embedded
            db.execute("DELETE FROM chunks WHERE doc_id = %s", (doc_id,))
            self._insert_chunks(db, doc_id, chunks)  # its terms, with the new profile's label
            self._bump(db)
        return True

    def replace_document(self, doc_id: str, text: DocumentText, chunks: list[NewChunk]) -> bool:
        with self._transaction() as db:
            changed = db.execute(
                "UPDATE documents SET title = %s, profile = %s, pages = %s, empty_pages = %s, "
                "ocr_pages = %s, unit = %s WHERE id = %s",
                (
                    text.title,
                    Jsonb(text.profile),
                    len(text.pages),
                    Jsonb(text.empty_pages),
                    Jsonb(text.ocr_pages),
                    text.unit,
                    doc_id,
                ),
            ).rowcount
            if not changed:  # deleted meanwhile
                return False
            db.execute("DELETE FROM pages WHERE doc_id = %s", (doc_id,))
            db.execute("DELETE FROM chunks WHERE doc_id = %s", (doc_id,))
            self._insert_pages(db, doc_id, text.pages)
            self._insert_chunks(db, doc_id, chunks)
            self._bump(db)
        return True

    def fill_profiles(self, filled: dict[str, tuple[dict[str, Any], list[str]]]) -> None:
        if not filled:
            return
        with self._transaction() as db:
            for doc_id, (profile, headings) in filled.items():
                db.execute("UPDATE documents SET profile = %s WHERE id = %s", (Jsonb(profile), doc_id))
                db.execute(
                    "UPDATE chunks SET context = coalesce((%s::text[])[page_start], '') "
                    "WHERE doc_id = %s AND context = ''",
                    (headings, doc_id),
                )
                terms.index_document(db, doc_id)  # its label and headings are in its terms
            self._bump(db)

    def corpus_rows(self) -> CorpusRows:
        with self._transaction() as db:
            db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # one snapshot for all three
            generation = self._generation(db)
            rows = db.execute(
                "SELECT c.doc_id, d.name, c.page_start, c.page_end, c.text, c.context, c.embedding::real[] "
                "FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.seq",
                binary=True,  # float4[] in binary: the stored float32 values exactly
            ).fetchall()
            documents = self._select(db)
        vectors = np.array([r[6] for r in rows], dtype=np.float32) if rows else np.zeros((0, 0), np.float32)
        return CorpusRows(generation, documents, [ChunkRow(*r[:6]) for r in rows], vectors)

    def drop(self) -> None:
        """Drop the knowledge base's schema with all its tables."""
        try:
            with self._pool.connection() as db, db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))
                db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(self.schema)))
        except psycopg.OperationalError as e:
            raise connection.unreachable(self.url, e) from None

    @staticmethod
    def _insert_pages(db: psycopg.Connection, doc_id: str, pages: list[str]) -> None:
        with db.cursor() as cur:
            cur.executemany(
                "INSERT INTO pages VALUES (%s, %s, %s)", [(doc_id, i + 1, t) for i, t in enumerate(pages)]
            )

    @staticmethod
    def _insert_chunks(db: psycopg.Connection, doc_id: str, chunks: list[NewChunk]) -> None:
        """Store the chunks (one COPY, in their order) and their keyword terms."""
        with db.cursor() as cur:
            columns = "id, doc_id, page_start, page_end, text, context, embedding"
            with cur.copy(f"COPY chunks ({columns}) FROM STDIN") as copy:
                for c in chunks:
                    copy.write_row(
                        (c.id, doc_id, c.page_start, c.page_end, c.text, c.context, vector_text(c.vector))
                    )
        terms.index_document(db, doc_id)
