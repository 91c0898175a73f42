"""The knowledge store in one SQLite file (DIR/kb.sqlite3): the embedded default.

A document is written in one transaction (``BEGIN IMMEDIATE``), so a process killed mid-ingestion
leaves exactly the documents fully added before; writers from several processes are serialised by
SQLite's lock, and readers notice a change through ``meta.generation``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

import numpy as np

from storage import sqlite_db
from storage.base import ChunkRow, CorpusRows, DocumentText, NewChunk, StoredDocument, already_added
from storage.sqlite.kb_schema import ADDED_COLUMNS, SCHEMA

FILE_NAME = "kb.sqlite3"
_DOCUMENT = (
    "SELECT d.id, d.name, d.sha256, d.title, d.profile, d.size_bytes, d.pages, "
    "(SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.id), d.empty_pages, d.added_at, d.ocr_pages, d.unit "
    "FROM documents d"
)


def _document(r: tuple[Any, ...]) -> StoredDocument:
    return StoredDocument(*r[:4], json.loads(r[4]), *r[5:8], json.loads(r[8]), r[9], json.loads(r[10]), r[11])


class SqliteKnowledgeStore:
    """One knowledge base's documents, pages and chunks in ``directory``/kb.sqlite3."""

    def __init__(self, directory: Path | str):
        self.path = Path(directory) / FILE_NAME
        sqlite_db.create(self.path, SCHEMA)
        sqlite_db.add_missing_columns(self.path, ADDED_COLUMNS)

    def connect(self):
        """A connection whose block is one transaction (also for tests that age a file)."""
        return sqlite_db.connect(self.path, timeout=60)

    def generation(self) -> int:
        with self.connect() as db:
            return int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def _select(
        self, db: sqlite3.Connection, where: str = "", params: tuple[Any, ...] = ()
    ) -> list[StoredDocument]:
        sql = f"{_DOCUMENT} {'WHERE ' + where if where else ''} ORDER BY d.added_at"
        return [_document(r) for r in db.execute(sql, params).fetchall()]

    def documents(self) -> list[StoredDocument]:
        with self.connect() as db:
            return self._select(db)

    def document(self, doc_id: str) -> StoredDocument | None:
        with self.connect() as db:
            return next(iter(self._select(db, "d.id = ?", (doc_id,))), None)

    def find(self, sha256: str) -> StoredDocument | None:
        with self.connect() as db:
            return next(iter(self._select(db, "d.sha256 = ?", (sha256,))), None)

    def chunk_count(self) -> int:
        with self.connect() as db:
            return db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def unprofiled(self) -> list[StoredDocument]:
        with self.connect() as db:
            return self._select(db, "d.profile IN ('{}', '', 'null')")

    def chunks(self, doc_id: str) -> list[NewChunk]:
        with self.connect() as db:
            rows = db.execute(
                "SELECT id, page_start, page_end, text, context, vector FROM chunks WHERE doc_id = ? "
                "ORDER BY row",
                (doc_id,),
            ).fetchall()
        return [NewChunk(*r[:5], np.frombuffer(r[5], dtype=np.float32).copy()) for r in rows]

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
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone():
                raise already_added(name)
            try:
                db.execute(
                    "INSERT INTO documents (id, name, sha256, title, profile, size_bytes, pages, "
                    "empty_pages, added_at, ocr_pages, unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        doc_id,
                        name,
                        sha256,
                        text.title,
                        json.dumps(text.profile),
                        size_bytes,
                        len(text.pages),
                        json.dumps(text.empty_pages),
                        time.time() if added_at is None else added_at,
                        json.dumps(text.ocr_pages),
                        text.unit,
                    ),
                )
            except sqlite3.IntegrityError as e:  # the UNIQUE constraint, should the check above miss
                raise already_added(name) from e
            self._insert_pages(db, doc_id, text.pages)
            self._insert_chunks(db, doc_id, chunks)
            self._bump(db)

    def delete(self, doc_id: str) -> None:
        with self.connect() as db:
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self._bump(db)

    def pages(self, doc_id: str, first: int = 1, count: int | None = None) -> list[tuple[int, str]]:
        with self.connect() as db:
            return db.execute(
                "SELECT number, text FROM pages WHERE doc_id = ? AND number >= ? ORDER BY number LIMIT ?",
                (doc_id, first, -1 if count is None else count),
            ).fetchall()

    def replace_chunks(self, doc_id: str, profile: dict[str, Any], chunks: list[NewChunk]) -> bool:
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            if db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is None:
                db.rollback()
                return False  # removed while it was embedded
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            db.execute("UPDATE documents SET profile = ? WHERE id = ?", (json.dumps(profile), doc_id))
            self._insert_chunks(db, doc_id, chunks)
            self._bump(db)
        return True

    def replace_document(self, doc_id: str, text: DocumentText, chunks: list[NewChunk]) -> bool:
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            changed = db.execute(
                "UPDATE documents SET title = ?, profile = ?, pages = ?, empty_pages = ?, ocr_pages = ?, "
                "unit = ? WHERE id = ?",
                (
                    text.title,
                    json.dumps(text.profile),
                    len(text.pages),
                    json.dumps(text.empty_pages),
                    json.dumps(text.ocr_pages),
                    text.unit,
                    doc_id,
                ),
            ).rowcount
            if not changed:  # deleted meanwhile
                return False
            db.execute("DELETE FROM pages WHERE doc_id = ?", (doc_id,))
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self._insert_pages(db, doc_id, text.pages)
            self._insert_chunks(db, doc_id, chunks)
            self._bump(db)
        return True

    def fill_profiles(self, filled: dict[str, tuple[dict[str, Any], list[str]]]) -> None:
        if not filled:
            return
        with self.connect() as db:
            for doc_id, (profile, headings) in filled.items():
                db.execute("UPDATE documents SET profile = ? WHERE id = ?", (json.dumps(profile), doc_id))
                db.executemany(
                    "UPDATE chunks SET context = ? WHERE row = ?",
                    [
                        (headings[start - 1] if 0 < start <= len(headings) else "", row)
                        for row, start in db.execute(
                            "SELECT row, page_start FROM chunks WHERE doc_id = ? AND context = ''", (doc_id,)
                        ).fetchall()
                    ],
                )
            self._bump(db)

    def corpus_rows(self) -> CorpusRows:
        with self.connect() as db:  # one read transaction: the generation and the rows agree
            generation = int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
            rows = db.execute(
                "SELECT c.doc_id, d.name, c.page_start, c.page_end, c.text, c.context, c.vector "
                "FROM chunks c JOIN documents d ON d.id = c.doc_id ORDER BY c.row"
            ).fetchall()
            documents = self._select(db)
        vectors = np.frombuffer(b"".join(r[6] for r in rows), dtype=np.float32)
        vectors = vectors.reshape(len(rows), -1) if rows else np.zeros((0, 0), np.float32)
        return CorpusRows(generation, documents, [ChunkRow(*r[:6]) for r in rows], vectors)

    def drop(self) -> None:
        """Remove the knowledge base's file (with its WAL, journal and lock files)."""
        for suffix in ("", "-wal", "-shm", "-journal", ".lock"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)

    @staticmethod
    def _insert_pages(db: sqlite3.Connection, doc_id: str, pages: list[str]) -> None:
        db.executemany(
            "INSERT INTO pages VALUES (?, ?, ?)", [(doc_id, i + 1, t) for i, t in enumerate(pages)]
        )

    @staticmethod
    def _insert_chunks(db: sqlite3.Connection, doc_id: str, chunks: list[NewChunk]) -> None:
        db.executemany(
            "INSERT INTO chunks (id, doc_id, page_start, page_end, text, vector, context) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.id,
                    doc_id,
                    c.page_start,
                    c.page_end,
                    c.text,
                    c.vector.astype(np.float32).tobytes(),
                    c.context,
                )
                for c in chunks
            ],
        )

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
