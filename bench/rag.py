"""Knowledge-base benchmark, side by side in one run: this app's pipeline vs the LangChain tutorial
pipeline (PyPDFLoader per page -> RecursiveCharacterTextSplitter(1000, 200) -> all-MiniLM-L6-v2
-> FAISS, pure vector search), on ../shared/data/rag-dev.

    python bench/rag.py [--runs 2] [--k 5]

Reports ingestion pages/s and chunks/s, doc-hit@k and MRR on the 21 QA pairs, and the p50
query latency (question -> top-k) at 10,000 chunks. The baseline is rebuilt here from the same
parts the tutorial uses (langchain-community, which holds PyPDFLoader, is archived; its loader is
pypdf's ``extract_text`` per page, done here directly).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
DEV = ROOT.parent / "shared" / "data" / "rag-dev"


@dataclass
class Hit:
    file: str
    page_start: int
    page_end: int


class Baseline:
    """The LangChain tutorial pipeline, with the same libraries it uses underneath."""

    def __init__(self, model):
        self.model = model

    def ingest(self, pdfs: list[Path]) -> tuple[int, int]:
        import faiss
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        docs = []
        self.unreadable_pages = 0
        self.unreadable_files: list[str] = []
        for pdf in pdfs:  # PyPDFLoader: one Document per page, metadata page (0-based) and source
            try:
                pages = list(PdfReader(pdf).pages)
            except PyPdfError:  # its page tree is beyond pypdf's limits: the whole file is lost
                pages = []
                self.unreadable_files.append(pdf.name)
            for number, page in enumerate(pages):
                try:
                    text = page.extract_text()
                except PyPdfError:  # PyPDFLoader would stop the whole load here; we skip the page
                    text = ""
                    self.unreadable_pages += 1
                docs.append(Document(text, metadata={"source": pdf.name, "page": number}))
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        self.chunks = splitter.split_documents(docs)
        # HuggingFaceEmbeddings defaults: no normalisation; LangChain's FAISS defaults to L2.
        vectors = self.model.encode(
            [c.page_content for c in self.chunks], batch_size=32, show_progress_bar=False
        )
        self.index = faiss.IndexFlatL2(vectors.shape[1])
        self.index.add(np.asarray(vectors, dtype=np.float32))
        return len(docs), len(self.chunks)

    def search(self, question: str, k: int) -> list[Hit]:
        query = self.model.encode([question], show_progress_bar=False).astype(np.float32)
        _, rows = self.index.search(query, k)
        out = []
        for r in rows[0]:
            meta = self.chunks[r].metadata
            out.append(Hit(meta["source"], meta["page"] + 1, meta["page"] + 1))
        return out


def run_baseline(pdfs, qa, k, model) -> dict:
    from services.retrieval_eval import evaluate

    base = Baseline(model)
    t0 = time.perf_counter()
    pages, chunks = base.ingest(pdfs)
    seconds = time.perf_counter() - t0
    report = evaluate(qa, lambda q: base.search(q, k), k)
    return {"seconds": seconds, "pages": pages, "chunks": chunks, "hit": report.hit_at_k, "mrr": report.mrr}


def run_app(pdfs, qa, k, kb_dir: Path) -> dict:
    from config.settings import Settings
    from core.events import IngestResult
    from core.ingest import Upload, ingest
    from services.knowledge_base import open_knowledge_base
    from services.retrieval_eval import evaluate

    shutil.rmtree(kb_dir, ignore_errors=True)
    settings = Settings()
    kb = open_knowledge_base(settings, kb_dir)
    t0 = time.perf_counter()
    results = [
        e for e in ingest(kb, [Upload(p.name, path=p) for p in pdfs], settings) if isinstance(e, IngestResult)
    ]
    seconds = time.perf_counter() - t0
    assert all(r.ok for r in results), results
    report = evaluate(qa, lambda q: kb.search(q, k), k)
    return {
        "seconds": seconds,
        "pages": sum(r.pages for r in results),
        "chunks": sum(r.chunks for r in results),
        "hit": report.hit_at_k,
        "mrr": report.mrr,
        "kb": kb,
    }


def query_latency(kb, model, questions, k: int, target: int = 10_000) -> tuple[float, float]:
    """p50 ms at ``target`` chunks for the app's hybrid index and for a baseline flat L2 index.

    The dev filings give ~720 real chunks; they are repeated (vectors with small noise) up to
    ``target`` rows so both indexes search 10,000 rows of real-looking text.
    """
    import faiss

    from services.hybrid_index import HybridIndex

    _, rows = kb._current_index()
    vectors = kb._index._vectors
    reps = target // len(rows) + 1
    rng = np.random.default_rng(0)
    big = np.concatenate(
        [vectors + rng.normal(0, 0.01, vectors.shape).astype(np.float32) for _ in range(reps)]
    )
    big = big[:target] / np.linalg.norm(big[:target], axis=1, keepdims=True)
    texts = ([r[3] for r in rows] * reps)[:target]
    index = HybridIndex(big, texts)
    flat = faiss.IndexFlatL2(big.shape[1])
    flat.add(big)
    app_ms, base_ms = [], []
    for q in questions * 3:
        t0 = time.perf_counter()
        index.search(kb.embedder.embed_query(q), q, k)
        app_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        flat.search(model.encode([q], show_progress_bar=False).astype(np.float32), k)
        base_ms.append((time.perf_counter() - t0) * 1000)
    return statistics.median(app_ms), statistics.median(base_ms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()

    from sentence_transformers import SentenceTransformer

    from services.embeddings import shared_embedder
    from services.retrieval_eval import load_qa

    pdfs = sorted((DEV / "pdfs").glob("*.pdf"))
    qa = load_qa(DEV / "qa.jsonl")
    model = SentenceTransformer(shared_embedder().model_path(), device="cpu")
    shared_embedder().embed(["warm up"])  # both models loaded before timing
    model.encode(["warm up"])
    tmp = Path(tempfile.mkdtemp(prefix="bench-rag-"))
    base_runs, app_runs = [], []
    for i in range(args.runs):  # interleaved so machine noise hits both alike
        base_runs.append(run_baseline(pdfs, qa, args.k, model))
        app_runs.append(run_app(pdfs, qa, args.k, tmp / f"kb{i}"))
    app_ms, base_ms = query_latency(app_runs[-1]["kb"], model, [q.question for q in qa], args.k)

    def row(name, runs, ms):
        sec = statistics.median(r["seconds"] for r in runs)
        r = runs[-1]
        return (
            f"| {name} | {r['pages']} | {r['chunks']} | {sec:.1f} | {r['pages'] / sec:.2f} | "
            f"{r['chunks'] / sec:.1f} | {r['hit']:.3f} | {r['mrr']:.3f} | {ms:.1f} |"
        )

    print(
        f"| pipeline | pages | chunks | ingest s (median of {args.runs}) | pages/s | chunks/s | "
        f"doc-hit@{args.k} | MRR | query p50 ms @10k |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(row("LangChain tutorial baseline", base_runs, base_ms))
    print(row("this app (hybrid)", app_runs, app_ms))
    base_sec = statistics.median(r["seconds"] for r in base_runs)
    app_sec = statistics.median(r["seconds"] for r in app_runs)
    print(f"\nspeed-up in pages/s: {base_sec / app_sec:.2f}x")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
