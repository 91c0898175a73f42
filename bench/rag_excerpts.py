"""What reaches the prompt on ../shared/data/rag-bench, without running the model.

    python bench/rag_excerpts.py --kb DIR [--every 2 --offset 0] [--misses]

For every question whose reference answer holds a figure (the same test as
``bench/rag_answers.py``): is that figure in the passages retrieved for it (whole text), and is it
still in the excerpts the model is given (``LocalAIAssistant.passages_for``, the same call a
grounded answer makes)? The gap between the two is what excerpt selection loses; a miss in both is
retrieval's (or a figure the model would have to compute). Seconds per run instead of the
half hour an answer run takes, so excerpt changes can be tried on one half and checked on the other.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags  # noqa: E402
from bench.rag_answers import BENCH, figure_hit  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", required=True, help="an ingested rag-bench knowledge base")
    parser.add_argument("--every", type=int, default=1)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--misses", action="store_true", help="print questions whose figure the excerpt lost")
    args = parser.parse_args()

    from config.settings import Settings
    from core.assistant import LocalAIAssistant
    from retrieval.knowledge_base import open_knowledge_base

    settings = Settings.from_env(data_dir=Path("/tmp/rag-excerpts-data"))
    kb = open_knowledge_base(settings, args.kb)
    if kb.is_empty():
        sys.exit(f"{args.kb} is empty: ingest rag-bench first (bench/rag_answers.py run ingests it)")
    assistant = LocalAIAssistant(settings, knowledge_base=kb)
    count_tokens = assistant.engines.llm("embedded").count_tokens
    rows = [json.loads(line) for line in (BENCH / "qa.jsonl").read_text().splitlines() if line.strip()]
    rows = rows[args.offset :: args.every]
    counts = {"retrieved": [], "excerpt": [], "lines": []}
    per_dataset: dict[str, list[bool]] = {}
    tokens = []
    for row in rows:
        record = {"reference": row["answer"]}
        passages = assistant.answers.passages_for(row["question"])
        excerpt = "\n".join(p.excerpt or "" for p in passages)
        tokens.append(count_tokens(excerpt))
        record["retrieved"] = "\n".join(h.text for h in assistant.library.search(row["question"]))
        record["excerpt"] = excerpt
        record["lines"] = "\n".join(line for p in passages for line in p.answer_lines)
        in_retrieved, in_excerpt = figure_hit(record, "retrieved"), figure_hit(record, "excerpt")
        if in_retrieved is None:
            continue
        counts["retrieved"].append(in_retrieved)
        counts["excerpt"].append(in_excerpt)
        counts["lines"].append(bool(figure_hit(record, "lines")))
        per_dataset.setdefault(row["dataset"], []).append(in_excerpt)
        if args.misses and in_retrieved and not in_excerpt:
            print(f"--- {row['id']}: {row['question']}\n    reference: {row['answer'][:120]!r}")
            print("    excerpt: " + excerpt.replace("\n", "\n             ")[:1200])

    def share(values: list[bool]) -> str:
        return f"{sum(values) / len(values):.2f} ({sum(values)}/{len(values)})" if values else "-"

    print(f"CPU flags: {cpu_flags()}; questions {args.offset}::{args.every} ({len(rows)})")
    print(
        "| reference figure in retrieved passages | in the excerpts | in the likely answer lines "
        "| FinanceBench (excerpts) | 10-Q (excerpts) | excerpt tokens |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| {share(counts['retrieved'])} | {share(counts['excerpt'])} | {share(counts['lines'])} | "
        f"{share(per_dataset.get('financebench', []))} | {share(per_dataset.get('docugami-sec10q', []))} | "
        f"{statistics.median(tokens):.0f} |"
    )


if __name__ == "__main__":
    main()
