"""Retrieval quality on a QA file: document hit@k and MRR, page hit@k where evidence pages are given,
and recall of the needed files for questions that span several documents.

Each QA line is JSON with ``question`` and ``source_file`` (or ``source_files`` for a question that
needs several), optionally ``page`` (1-based; an int or a list of evidence pages).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class QA:
    question: str
    source_file: str | None
    source_files: tuple[str, ...] = ()
    pages: tuple[int, ...] = ()
    dataset: str = ""

    @property
    def multi(self) -> bool:
        return self.source_file is None and len(self.source_files) > 1


def load_qa(path: Path | str) -> list[QA]:
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            page = row.get("page")
            pages = tuple(page) if isinstance(page, list) else ((page,) if page else ())
            files = tuple(row.get("source_files") or ([row["source_file"]] if row.get("source_file") else []))
            items.append(QA(row["question"], row.get("source_file"), files, pages, row.get("dataset", "")))
    return items


@dataclass
class Report:
    k: int
    questions: int = 0  # single-document questions
    doc_hits: int = 0
    doc_rr: float = 0.0
    page_questions: int = 0
    page_hits: int = 0
    multi_questions: int = 0
    multi_recall: float = 0.0  # summed share of needed files found
    rejected: int = 0  # questions that got no passage at all
    misses: list[str] = field(default_factory=list)
    page_misses: list[str] = field(default_factory=list)

    @property
    def hit_at_k(self) -> float:
        return self.doc_hits / self.questions if self.questions else 0.0

    @property
    def mrr(self) -> float:
        return self.doc_rr / self.questions if self.questions else 0.0

    @property
    def page_hit_at_k(self) -> float | None:
        return self.page_hits / self.page_questions if self.page_questions else None

    @property
    def recall_multi(self) -> float | None:
        return self.multi_recall / self.multi_questions if self.multi_questions else None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.k, "questions": self.questions, "hit_at_k": self.hit_at_k}
        out["mrr"] = self.mrr
        if self.page_questions:
            out["page_hit_at_k"] = self.page_hit_at_k
        if self.multi_questions:
            out["multi_questions"] = self.multi_questions
            out["multi_recall_at_k"] = self.recall_multi
        out["rejected"] = self.rejected
        return out

    def summary(self) -> str:
        text = f"{self.questions} questions: doc hit@{self.k} {self.hit_at_k:.3f}, MRR {self.mrr:.3f}"
        if self.page_questions:
            text += f", page hit@{self.k} {self.page_hit_at_k:.3f} ({self.page_questions} with pages)"
        if self.multi_questions:
            text += f"; {self.multi_questions} multi-document: file recall@{self.k} {self.recall_multi:.3f}"
        return text + f"; {self.rejected} got no passage"


def evaluate(qa: list[QA], search: Callable[[str], list[Any]], k: int) -> Report:
    """Run ``search`` (question -> hits with ``file``, ``page_start``, ``page_end``) over ``qa``."""
    report = Report(k)
    for item in qa:
        hits = search(item.question)[:k]
        report.rejected += not hits
        if item.multi:
            report.multi_questions += 1
            found = {h.file for h in hits} & set(item.source_files)
            report.multi_recall += len(found) / len(item.source_files)
            continue
        report.questions += 1
        rank = next((i for i, h in enumerate(hits, 1) if h.file == item.source_file), None)
        if rank:
            report.doc_hits += 1
            report.doc_rr += 1 / rank
        else:
            report.misses.append(item.question)
        if item.pages:
            report.page_questions += 1
            hit = any(
                h.file == item.source_file and any(h.page_start <= p <= h.page_end for p in item.pages)
                for h in hits
            )
            report.page_hits += hit
            if not hit:
                report.page_misses.append(item.question)
    return report
