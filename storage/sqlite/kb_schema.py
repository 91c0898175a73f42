"""The knowledge base's SQLite tables (storage/sqlite/knowledge_store.py): documents, their pages (or
sections, paragraphs) and chunks with vectors, and a generation counter other readers watch."""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    profile TEXT NOT NULL DEFAULT '{}',
    size_bytes INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    empty_pages TEXT NOT NULL,
    added_at REAL NOT NULL,
    ocr_pages TEXT NOT NULL DEFAULT '[]',
    unit TEXT NOT NULL DEFAULT 'page'
);
CREATE TABLE IF NOT EXISTS pages (
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
CREATE TABLE IF NOT EXISTS chunks (
    row INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    doc_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page_start INTEGER NOT NULL,
    page_end INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL,
    context TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks(doc_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('generation', '0');
"""
#: Columns added after the first release: (table, column, declaration). Older files get them on open.
ADDED_COLUMNS = [
    ("documents", "profile", "TEXT NOT NULL DEFAULT '{}'"),
    ("chunks", "context", "TEXT NOT NULL DEFAULT ''"),
    ("documents", "ocr_pages", "TEXT NOT NULL DEFAULT '[]'"),
    ("documents", "unit", "TEXT NOT NULL DEFAULT 'page'"),
]
