"""Copying a knowledge base between the embedded SQLite store and PostgreSQL (``cli.py kb copy``),
without re-embedding: documents, page texts and chunks with their vectors and profiles, keeping
ids, sha256 and added times.

Each document is one transaction in the target, and a document already there (same sha256) is
skipped, so a copy that was interrupted is simply run again and goes on where it stopped. Then the
two sides are compared: document and chunk counts, and the top hit of a few searches.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from config.settings import Settings
from errors import DocumentError, UserInputError
from storage.base import DocumentText, KnowledgeStore, StoredDocument

STORES = ("sqlite", "postgres")
SAMPLES = 3


@dataclass(frozen=True)
class Sample:
    """One check search: a stored chunk's text as the question, and each side's top hit."""

    query: str
    source_top: tuple[str, int, int, str] | None  # (file, first page, last page, text)
    target_top: tuple[str, int, int, str] | None

    @property
    def same(self) -> bool:
        return self.source_top == self.target_top


@dataclass(frozen=True)
class CopyReport:
    """What a copy did and how the two sides compare afterwards."""

    source: str
    target: str
    copied: list[str] = field(default_factory=list)  # names, in the order copied
    skipped: list[str] = field(default_factory=list)  # already in the target (same sha256)
    changed: list[str] = field(default_factory=list)  # changed in the source while read: run again
    source_documents: int = 0
    source_chunks: int = 0
    target_documents: int = 0  # of the source's documents, how many the target holds
    target_chunks: int = 0  # and their chunks there
    target_others: int = 0  # documents only in the target
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0  # copying and counting (not the sample searches)

    @property
    def ok(self) -> bool:
        counts = (self.target_documents, self.target_chunks) == (self.source_documents, self.source_chunks)
        return counts and not self.changed and all(s.same for s in self.samples)

    def lines(self) -> list[str]:
        """The report, a line each."""
        same = sum(s.same for s in self.samples)
        lines = [
            f"from {self.source}",
            f"to   {self.target}",
            f"copied {len(self.copied)} documents, {len(self.skipped)} already there (skipped) "
            f"in {self.seconds:.1f} s",
            f"source: {self.source_documents} documents, {self.source_chunks} chunks",
            f"target: {self.target_documents} of them, {self.target_chunks} chunks"
            + (f" (and {self.target_others} documents of its own)" if self.target_others else ""),
            f"sample searches: {same} of {len(self.samples)} with the same top hit",
        ]
        lines += [f"  changed while copied, run again: {name}" for name in self.changed]
        lines += [
            f"  differs: {s.query[:60]!r}: {_hit(s.source_top)} / {_hit(s.target_top)}"
            for s in self.samples
            if not s.same
        ]
        lines.append("OK: the copy matches" if self.ok else "MISMATCH: see above")
        return lines


def _hit(top: tuple[str, int, int, str] | None) -> str:
    return "no hit" if top is None else f"{top[0]} p.{top[1]}-{top[2]}"


def copy_documents(
    source: KnowledgeStore,
    target: KnowledgeStore,
    report: CopyReport,
    progress: Callable[[str, str], None] | None = None,
) -> None:
    """Copy every source document the target lacks (by sha256), one transaction each, recording
    each in ``report`` and telling ``progress(name, "copied" | "skipped" | "changed")``."""
    for doc in source.documents():
        outcome = "skipped" if target.find(doc.sha256) else _copy_one(source, target, doc)
        getattr(report, outcome).append(doc.name)
        if progress:
            progress(doc.name, outcome)


def _copy_one(source: KnowledgeStore, target: KnowledgeStore, doc: StoredDocument) -> str:
    pages = [text for _, text in source.pages(doc.id)]
    chunks = source.chunks(doc.id)
    if len(pages) != doc.pages or len(chunks) != doc.chunks:
        return "changed"  # deleted or re-indexed between the reads
    text = DocumentText(doc.title, pages, doc.profile, doc.empty_pages, doc.ocr_pages, doc.unit)
    try:
        target.add(doc.id, doc.name, doc.sha256, doc.size_bytes, text, chunks, added_at=doc.added_at)
    except DocumentError:  # another copy added it meanwhile (the target's UNIQUE sha256)
        return "skipped"
    return "copied"


def compare_counts(source: KnowledgeStore, target: KnowledgeStore, report: CopyReport) -> CopyReport:
    """``report`` with the source's counts and the target's for the same documents."""
    theirs = source.documents()
    ours = {d.sha256: d for d in target.documents()}
    found = [ours[d.sha256] for d in theirs if d.sha256 in ours]
    return replace(
        report,
        source_documents=len(theirs),
        source_chunks=sum(d.chunks for d in theirs),
        target_documents=len(found),
        target_chunks=sum(d.chunks for d in found),
        target_others=len(ours) - len(found),
    )


def sample_queries(store: KnowledgeStore, count: int = SAMPLES) -> list[str]:
    """The texts of ``count`` chunks spread evenly over all the chunks, in the order stored."""
    docs = [d for d in store.documents() if d.chunks]
    total = sum(d.chunks for d in docs)
    wanted = sorted({(2 * i + 1) * total // (2 * count) for i in range(min(count, total))})
    queries, start = [], 0
    for doc in docs:
        mine = [n - start for n in wanted if start <= n < start + doc.chunks]
        if mine:
            chunks = store.chunks(doc.id)
            queries += [chunks[n].text for n in mine if n < len(chunks)]
        start += doc.chunks
    return queries


def compare_searches(source: Any, target: Any, queries: list[str], k: int = 3) -> list[Sample]:
    """Each query's top hit on both knowledge bases (objects with ``search(query, k)``)."""
    return [Sample(q, _top(source.search(q, k)), _top(target.search(q, k))) for q in queries]


def _top(hits: list[Any]) -> tuple[str, int, int, str] | None:
    if not hits:
        return None
    return (hits[0].file, hits[0].page_start, hits[0].page_end, hits[0].text)


def copy_knowledge_base(
    settings: Settings,
    directory: Path | str,
    to: str,
    progress: Callable[[str, str], None] | None = None,
) -> CopyReport:
    """Copy the knowledge base kept in ``directory`` from SQLite to PostgreSQL (``to="postgres"``,
    the database in ``settings.database_url``) or back (``to="sqlite"``), then compare them."""
    from retrieval.knowledge_base import open_knowledge_base

    if to not in STORES:
        raise UserInputError(f"Copy to one of {', '.join(STORES)}, not {to!r}.")
    if not settings.database_url:
        raise UserInputError(
            "Set DATABASE_URL to the PostgreSQL database to copy to or from "
            "(e.g. postgresql://user:password@localhost:5432/assistant)."
        )
    directory = Path(directory)
    on_sqlite = open_knowledge_base(replace(settings, database_url=""), directory)
    on_postgres = open_knowledge_base(settings, directory)
    source, target = (on_sqlite, on_postgres) if to == "postgres" else (on_postgres, on_sqlite)
    sides = {id(on_sqlite): f"SQLite in {directory}", id(on_postgres): _postgres_name(on_postgres.store)}
    report = CopyReport(sides[id(source)], sides[id(target)])
    started = time.perf_counter()
    copy_documents(source.store, target.store, report, progress)
    report = replace(
        compare_counts(source.store, target.store, report), seconds=time.perf_counter() - started
    )
    return replace(report, samples=compare_searches(source, target, sample_queries(source.store)))


def _postgres_name(store: Any) -> str:
    from storage.postgres.connection import where

    return f"PostgreSQL schema {store.schema} in {where(store.url)}"
