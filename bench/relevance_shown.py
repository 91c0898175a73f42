"""Does the relevance shown beside the sources read as a user would read it? On the FinanceBench
questions of ../shared/data/rag-bench (or RAG_BENCH_DIR), with the app's knowledge base:

    python bench/relevance_shown.py --kb DIR

For the top 5 sources of each question it reports, for the relevance from cosine similarity alone
(the old one) and the one from the ranking score (shown now): how often the sources are listed in
falling relevance, and how often the passage on an evidence page shows the highest relevance of
all five; and the ranking scores of evidence passages (5th / 50th / 95th percentile), which set
where the shown relevance reaches 1 (retrieval/relevance.py, SCORE_CEILING).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags  # noqa: E402

BENCH = Path(os.environ.get("RAG_BENCH_DIR", ROOT.parent / "shared" / "data" / "rag-bench"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", required=True)
    args = parser.parse_args()

    from config.settings import Settings
    from retrieval.evaluation import load_qa
    from retrieval.knowledge_base import open_knowledge_base
    from retrieval.relevance import RelevanceGate

    kb = open_knowledge_base(Settings(), Path(args.kb))
    questions = [q for q in load_qa(BENCH / "qa.jsonl") if q.dataset == "financebench" and q.pages]
    print(f"CPU flags: {cpu_flags()}; {len(questions)} FinanceBench questions from {BENCH.name}")
    ordered = {"similarity": 0, "score": 0}
    evidence_top = {"similarity": 0, "score": 0}
    with_evidence = 0
    evidence_scores: list[float] = []
    for qa in questions:
        found = kb.retrieved(qa.question, 5)
        if not found:
            continue
        shown = {
            "similarity": [RelevanceGate.relevance(r.similarity) for r in found],
            "score": [r.relevance for r in found],
        }
        evidence = [
            i
            for i, r in enumerate(found)
            if r.row.file == qa.source_file and any(r.row.page_start <= p <= r.row.page_end for p in qa.pages)
        ]
        evidence_scores += [found[i].score for i in evidence]
        for kind, values in shown.items():
            ordered[kind] += all(a >= b for a, b in zip(values, values[1:], strict=False))
            if evidence:
                evidence_top[kind] += max(values[i] for i in evidence) >= max(values)
        with_evidence += bool(evidence)
    n = len(questions)
    print(f"\n| relevance from | sources in falling relevance (of {n}) | evidence passage shows the "
          f"highest relevance (of {with_evidence} with one in the top 5) |")  # fmt: skip
    print("|---|---|---|")
    for kind in ("similarity", "score"):
        print(f"| {kind} | {ordered[kind]} | {evidence_top[kind]} |")
    if len(evidence_scores) > 2:
        cuts = statistics.quantiles(evidence_scores, n=20)
        print(
            f"\nranking score of evidence passages: 5th {cuts[0]:.2f}, median "
            f"{statistics.median(evidence_scores):.2f}, 95th {cuts[-1]:.2f} ({len(evidence_scores)} passages)"
        )


if __name__ == "__main__":
    main()
