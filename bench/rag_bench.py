"""Retrieval on ../shared/data/rag-bench (28 filings, 103 questions written by others), this app's
pipeline and the LangChain tutorial pipeline side by side in one run.

    python bench/rag_bench.py [--kb DIR] [--reingest] [--baseline] [--k 5] [--misses]
    RAG_BENCH_DIR=../shared/data/rag-bench-more python bench/rag_bench.py --kb DIR   (another set)

Reports ingestion time, FinanceBench page-hit@k (an evidence page inside a top-k passage of the
right file), single-document doc-hit@k and MRR (docugami 10-Q questions), multi-document recall@10
of the needed files, questions that got no passage (false rejections), unrelated questions
(bench/unrelated_questions.txt) that got sources (false attachments), and query p50 / p90 in ms
over the whole knowledge base (about 11,000 chunks). ``--kb`` keeps the app's knowledge base
between runs (re-ingested with ``--reingest``); the baseline is rebuilt each time it runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags, unrelated_questions  # noqa: E402

BENCH = Path(os.environ.get("RAG_BENCH_DIR", ROOT.parent / "shared" / "data" / "rag-bench"))


def ingest_app(kb_dir: Path, reingest: bool):
    from config.settings import Settings
    from core.events import IngestResult
    from core.ingest import Upload, ingest
    from retrieval.knowledge_base import open_knowledge_base

    if reingest:
        shutil.rmtree(kb_dir, ignore_errors=True)
    settings = Settings()
    kb = open_knowledge_base(settings, kb_dir)
    pdfs = sorted((BENCH / "pdfs").glob("*.pdf"))
    started = time.perf_counter()
    uploads = [Upload(p.name, path=p) for p in pdfs]
    results = [e for e in ingest(kb, uploads, settings) if isinstance(e, IngestResult)]
    seconds = time.perf_counter() - started
    assert all(r.ok for r in results), [r.message for r in results if not r.ok]
    new = [r for r in results if "already in" not in r.message]
    return kb, (seconds if new else None), sum(r.pages for r in results)


def measure(name, search, qa, unrelated, k) -> dict:
    from retrieval.evaluation import evaluate

    fb = [q for q in qa if q.dataset == "financebench"]
    single = [q for q in qa if q.dataset != "financebench" and not q.multi]
    multi = [q for q in qa if q.multi]
    timings: list[float] = []

    def timed(question: str, depth: int):
        t0 = time.perf_counter()
        hits = search(question, depth)
        timings.append((time.perf_counter() - t0) * 1000)
        return hits

    rep_fb = evaluate(fb, lambda q: timed(q, k), k)
    rep_single = evaluate(single, lambda q: timed(q, k), k)
    rep_multi = evaluate(multi, lambda q: timed(q, 10), 10)
    attached = [q for q in unrelated if timed(q, k)]
    return {
        "name": name,
        "fb_page": rep_fb.page_hit_at_k,
        "fb_doc": rep_fb.hit_at_k if fb else None,
        "single_doc": rep_single.hit_at_k if single else None,
        "single_mrr": rep_single.mrr if single else None,
        "multi_recall": rep_multi.recall_multi,
        "rejected": rep_fb.rejected + rep_single.rejected + rep_multi.rejected,
        "attached": attached,
        "p50": statistics.median(timings),
        "p90": statistics.quantiles(timings, n=10)[-1],
        "reports": (rep_fb, rep_single),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", default="/tmp/rag-bench-kb")
    parser.add_argument("--reingest", action="store_true")
    parser.add_argument("--baseline", action="store_true", help="also run the LangChain tutorial pipeline")
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="list the questions each pipeline missed")
    args = parser.parse_args()

    from retrieval.evaluation import load_qa

    qa = load_qa(BENCH / "qa.jsonl")
    unrelated = unrelated_questions()
    print(f"CPU flags: {cpu_flags()}; {os.cpu_count()} cores")
    rows = []
    if args.baseline:
        from sentence_transformers import SentenceTransformer

        from bench.rag import Baseline
        from retrieval.embeddings.embedder import shared_embedder

        base = Baseline(SentenceTransformer(shared_embedder().model_path(), device="cpu"))
        t0 = time.perf_counter()
        pages, _ = base.ingest(sorted((BENCH / "pdfs").glob("*.pdf")))
        base_seconds = time.perf_counter() - t0
        row = measure("LangChain tutorial baseline", base.search, qa, unrelated, args.k)
        row.update(seconds=base_seconds, pages=pages)
        rows.append(row)
        print(
            f"baseline: pypdf could not read {base.unreadable_pages} page(s) (left empty) "
            f"nor the files {base.unreadable_files}"
        )
    kb, seconds, pages = ingest_app(Path(args.kb), args.reingest)
    kb.search("warm up", 1)
    row = measure("this app", kb.search, qa, unrelated, args.k)
    row.update(seconds=seconds, pages=pages)
    rows.append(row)

    k = args.k
    print(
        f"\n| pipeline | ingest s | pages/s | FinanceBench page-hit@{k} | FinanceBench doc-hit@{k} | "
        f"10-Q single doc-hit@{k} | MRR | multi-doc recall@10 | no passage (of {len(qa)}) | "
        f"unrelated with sources (of {len(unrelated)}) | query p50 / p90 ms |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")

    def figure(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"  # "-": the set has no such questions

    for r in rows:
        sec = f"{r['seconds']:.0f}" if r["seconds"] else "(cached)"
        pps = f"{r['pages'] / r['seconds']:.1f}" if r["seconds"] else "-"
        print(
            f"| {r['name']} | {sec} | {pps} | {figure(r['fb_page'])} | {figure(r['fb_doc'])} | "
            f"{figure(r['single_doc'])} | {figure(r['single_mrr'])} | {figure(r['multi_recall'])} | "
            f"{r['rejected']} | {len(r['attached'])} | "
            f"{r['p50']:.0f} / {r['p90']:.0f} |"
        )
    for r in rows:
        if r["attached"]:
            print(f"\n{r['name']}: unrelated questions with sources: {r['attached']}")
        if args.misses:
            fb, single = r["reports"]
            print(f"\n{r['name']} misses (doc level): {fb.misses + single.misses}")
            print(f"{r['name']} FinanceBench page misses: {fb.page_misses}")


if __name__ == "__main__":
    main()
