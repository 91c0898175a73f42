"""Retrieval quality on a QA file: hit@k and MRR at document level (and page level when given).

Each QA line is JSON with ``question`` and ``source_file``, optionally ``page`` (1-based).
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
    source_file: str
    page: int | None = None


def load_qa(path: Path | str) -> list[QA]:
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(QA(row["question"], row["source_file"], row.get("page")))
    return items


@dataclass
class Report:
    k: int
    questions: int = 0
    doc_hits: int = 0
    doc_rr: float = 0.0
    page_questions: int = 0
    page_hits: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def hit_at_k(self) -> float:
        return self.doc_hits / self.questions if self.questions else 0.0

    @property
    def mrr(self) -> float:
        return self.doc_rr / self.questions if self.questions else 0.0

    def as_dict(self) -> dict[str, Any]:
        out = {"k": self.k, "questions": self.questions, "hit_at_k": self.hit_at_k, "mrr": self.mrr}
        if self.page_questions:
            out["page_hit_at_k"] = self.page_hits / self.page_questions
        return out

    def summary(self) -> str:
        text = f"{self.questions} questions: doc hit@{self.k} {self.hit_at_k:.3f}, MRR {self.mrr:.3f}"
        if self.page_questions:
            text += f", page hit@{self.k} {self.page_hits / self.page_questions:.3f}"
        return text


def evaluate(qa: list[QA], search: Callable[[str], list[Any]], k: int) -> Report:
    """Run ``search`` (question -> hits with ``file``, ``page_start``, ``page_end``) over ``qa``."""
    report = Report(k)
    for item in qa:
        hits = search(item.question)[:k]
        report.questions += 1
        rank = next((i for i, h in enumerate(hits, 1) if h.file == item.source_file), None)
        if rank:
            report.doc_hits += 1
            report.doc_rr += 1 / rank
        else:
            report.misses.append(item.question)
        if item.page is not None:
            report.page_questions += 1
            report.page_hits += any(
                h.file == item.source_file and h.page_start <= item.page <= h.page_end for h in hits
            )
    return report
