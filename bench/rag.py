"""Knowledge-base benchmark, side by side in one run: this app's pipeline vs the LangChain tutorial
pipeline (PyPDFLoader per page -> RecursiveCharacterTextSplitter(1000, 200) -> all-MiniLM-L6-v2
-> FAISS, pure vector search), on ../shared/data/rag-dev.

    python bench/rag.py [--runs 2] [--k 5] [--backends torch-bf16,onnx,...]

Reports ingestion pages/s and chunks/s, and doc-hit@k and MRR on the 21 QA pairs, for the
baseline and the app with each embedding engine (retrieval/embeddings/backends.py), all interleaved
in one run. The baseline embeds in fp32 PyTorch, as the tutorial does on any CPU. Query latency at
10,000+ chunks is measured on the real rag-bench knowledge base by bench/rag_bench.py.
The baseline is rebuilt here from the same parts the tutorial uses (langchain-community, which
holds PyPDFLoader, is archived; its loader is pypdf's ``extract_text`` per page, done here
directly).
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
    from retrieval.evaluation import evaluate

    base = Baseline(model)
    t0 = time.perf_counter()
    pages, chunks = base.ingest(pdfs)
    seconds = time.perf_counter() - t0
    report = evaluate(qa, lambda q: base.search(q, k), k)
    return {"seconds": seconds, "pages": pages, "chunks": chunks, "hit": report.hit_at_k, "mrr": report.mrr}


def run_app(pdfs, qa, k, kb_dir: Path, embedder) -> dict:
    from config.settings import Settings
    from core.events import IngestResult
    from core.ingest import Upload, ingest
    from retrieval.evaluation import evaluate
    from retrieval.knowledge_base import KnowledgeBase

    shutil.rmtree(kb_dir, ignore_errors=True)
    settings = Settings()
    kb = KnowledgeBase(
        kb_dir, embedder, settings.chunk_tokens, settings.chunk_overlap_tokens, settings.min_relevance
    )
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--k", type=int, default=5)
    parser.add_argument("--backends", default="", help="embedding engines, comma-separated (default: auto)")
    args = parser.parse_args()

    from sentence_transformers import SentenceTransformer

    from bench.common import cpu_flags
    from config.settings import Settings
    from retrieval.embeddings.backends import choose_backend
    from retrieval.embeddings.embedder import Embedder
    from retrieval.evaluation import load_qa

    pdfs = sorted((DEV / "pdfs").glob("*.pdf"))
    qa = load_qa(DEV / "qa.jsonl")
    model = SentenceTransformer(Embedder.model_path(), device="cpu")
    model.encode(["warm up"])
    names = [choose_backend(b) for b in (args.backends or "auto").split(",")]
    embedders = {n: Embedder(backend=n, cache_dir=Settings.from_env().model_cache_dir) for n in names}
    for e in embedders.values():
        e.embed(["warm up"])  # every model loaded before timing
    tmp = Path(tempfile.mkdtemp(prefix="bench-rag-"))
    base_runs: list[dict] = []
    app_runs: dict[str, list[dict]] = {n: [] for n in names}
    for i in range(args.runs):  # interleaved so machine noise hits all alike
        base_runs.append(run_baseline(pdfs, qa, args.k, model))
        for name, embedder in embedders.items():
            app_runs[name].append(run_app(pdfs, qa, args.k, tmp / f"kb-{name}-{i}", embedder))

    base_sec = statistics.median(r["seconds"] for r in base_runs)

    def row(name, runs):
        sec = statistics.median(r["seconds"] for r in runs)
        r = runs[-1]
        return (
            f"| {name} | {r['pages']} | {r['chunks']} | {sec:.1f} | {r['pages'] / sec:.2f} | "
            f"{r['chunks'] / sec:.1f} | {base_sec / sec:.2f}x | {r['hit']:.3f} | {r['mrr']:.3f} |"
        )

    print(f"CPU flags: {cpu_flags()}; rag-dev, medians of {args.runs} runs, interleaved")
    print(f"| pipeline | pages | chunks | ingest s | pages/s | chunks/s | vs baseline | hit@{args.k} | MRR |")
    print("|---|---|---|---|---|---|---|---|---|")
    print(row("LangChain tutorial baseline (fp32)", base_runs))
    for name, runs in app_runs.items():
        print(row(f"this app, embeddings {name}", runs))
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
