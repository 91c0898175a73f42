"""Embedding engines side by side: chunks/s and agreement with the fp32 reference vectors.

    python bench/embeddings.py [--rounds 3] [--backends torch,torch-bf16,onnx,onnx-int8]

The texts are the chunks the app makes of the three rag-dev filings (200 word pieces each, the
app's splitter). Every engine embeds all of them once per round, engines interleaved, so load on
this noisy machine hits each alike; chunks/s is the median over rounds. Agreement: cosine of each
vector with the ``torch`` (fp32 sentence-transformers network) vector of the same chunk, minimum
and mean, and how many chunks' top-5 neighbours among the others are the same as fp32's.
Run ``bench/rag_bench.py`` with EMBEDDING_BACKEND set for what a backend does to retrieval.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "rag-dev" / "pdfs"


def dev_chunks(tokenizer) -> list[str]:
    import pypdfium2

    from documents.chunking import clean_text, make_splitter

    splitter = make_splitter(tokenizer, 200, 30)
    chunks = []
    for path in sorted(DEV.glob("*.pdf")):
        pdf = pypdfium2.PdfDocument(str(path))
        for page in pdf:
            chunks += splitter.split_text(clean_text(page.get_textpage().get_text_range()))
    return chunks


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="torch,torch-bf16,onnx,onnx-int8")
    args = parser.parse_args()

    from config.settings import Settings
    from retrieval.embeddings.embedder import Embedder

    cache = Settings.from_env().model_cache_dir
    names = args.backends.split(",")
    embedders = {name: Embedder(backend=name, cache_dir=cache) for name in ["torch", *names] if name}
    texts = dev_chunks(embedders["torch"].tokenizer)
    for e in embedders.values():
        e.embed(texts[:8])  # loaded (and exported) before timing
    seconds: dict[str, list[float]] = {n: [] for n in embedders}
    vectors = {}
    for _ in range(args.rounds):
        for name, e in embedders.items():
            started = time.perf_counter()
            vectors[name] = e.embed(texts)
            seconds[name].append(time.perf_counter() - started)
    import numpy as np

    ref = vectors["torch"]
    ref_top = np.argsort(-(ref @ ref.T), axis=1)[:, 1:6]
    print(f"CPU flags: {cpu_flags()}; {len(texts)} chunks of the rag-dev filings; {args.rounds} rounds")
    print("| engine | chunks/s | vs torch fp32 | cosine to fp32 min / mean | top-5 neighbours as fp32 |")
    print("|---|---|---|---|---|")
    base = len(texts) / statistics.median(seconds["torch"])
    for name in dict.fromkeys(["torch", *names]):
        if not name:
            continue
        rate = len(texts) / statistics.median(seconds[name])
        cos = np.sum(vectors[name] * ref, axis=1)
        top = np.argsort(-(vectors[name] @ vectors[name].T), axis=1)[:, 1:6]
        same = np.mean([set(a) == set(b) for a, b in zip(top, ref_top, strict=True)])
        print(
            f"| {name} | {rate:.1f} | {rate / base:.2f}x | {cos.min():.5f} / {cos.mean():.5f} | {same:.3f} |"
        )


if __name__ == "__main__":
    main()
