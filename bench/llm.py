"""Embedded LLM benchmark: load time, time to first token (short, ~1,000-token reference, the app's
RAG prompt, a follow-up turn), prompt tokens/s and generation tokens/s.

    python bench/llm.py                      # the installed llama.cpp build, both weights
    python bench/llm.py --compare avx2=DIR   # also a build unpacked in DIR, interleaved in one run

The fast model is measured with its packaged weights (without and with flash attention) and with
the IQ4_NL copy the app loads on AVX2 CPUs (models/fast_weights.py; BUILTIN_WEIGHTS).

Each figure is the median of --runs runs; the KV cache is cleared before every cold measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.common import cpu_flags  # noqa: E402

PASSAGE = (ROOT / "bench" / "reference_passage.txt").read_text().strip()
REFERENCE_QUESTION = "What was Microsoft's net income for the three months ended September 30, 2022?"


def _rag_sources():
    """Three passages as the knowledge base would return them (the app's real prompt builder uses them)."""
    from core.events import Source

    words = PASSAGE.split()
    thirds = [" ".join(words[i : i + 110]) for i in (0, 110, 220)]
    return [Source(i + 1, "2022 Q3 MSFT.pdf", 4 + i, 4 + i, 0.8, t) for i, t in enumerate(thirds)]


def measure(flash_attn: bool, runs: int) -> dict:
    from llama_cpp import Llama

    from config.settings import Settings
    from core.assistant import AskOptions, LocalAIAssistant
    from models.llamacpp_model import LlamaCppLLM

    settings = Settings.from_env()  # BUILTIN_WEIGHTS chooses the file
    path = LlamaCppLLM(settings).model_path()
    started = time.perf_counter()
    llama = Llama(
        model_path=str(path),
        n_ctx=settings.llm_context_tokens,
        n_threads=settings.threads,
        n_batch=512,
        flash_attn=flash_attn,
        verbose=False,
    )
    load_s = time.perf_counter() - started

    def first_token(messages, reset=True, max_tokens=1):
        if reset:
            llama.reset()
        t0 = time.perf_counter()
        out = llama.create_chat_completion(
            messages=messages, max_tokens=max_tokens, temperature=0.0, stream=True
        )
        ttft, pieces = None, []
        for chunk in out:
            text = chunk["choices"][0]["delta"].get("content")
            if text:
                ttft = ttft or time.perf_counter() - t0
                pieces.append(text)
        total = time.perf_counter() - t0
        return ttft or total, total, len(pieces), llama.n_tokens - len(pieces)

    llm = LlamaCppLLM(settings)
    llm._llama, llm._loaded_path = llama, path  # reuse this model instance in the prompt builder
    assistant = LocalAIAssistant(settings.__class__(data_dir=Path("/tmp/bench-llm")), llms={"embedded": llm})
    system = {"role": "system", "content": "You are a helpful assistant."}
    short = [system, {"role": "user", "content": "What is the capital of France?"}]
    reference = [system, {"role": "user", "content": f"{PASSAGE}\n\nQuestion: {REFERENCE_QUESTION}"}]
    rag = assistant.answers.prompter.build_messages(llm, [], REFERENCE_QUESTION, _rag_sources(), AskOptions())
    history = [
        {"role": "user", "content": "What does a 10-Q filing contain?"},
        {
            "role": "assistant",
            "content": "A 10-Q is a quarterly report with unaudited financial statements, "
            "management's discussion and analysis, and disclosures about risks and controls." * 3,
        },
    ]
    follow_1 = [system, *history, {"role": "user", "content": "Who files it?"}]
    follow_2 = [system, *history, {"role": "user", "content": "How often is it filed?"}]

    results: dict[str, list[float]] = {
        k: []
        for k in (
            "short_ttft_s",
            "reference_ttft_s",
            "reference_prompt_tok_s",
            "rag_ttft_s",
            "rag_prompt_tokens",
            "followup_cold_ttft_s",
            "followup_cached_ttft_s",
            "generation_tok_s",
        )
    }
    for _ in range(runs):
        results["short_ttft_s"].append(first_token(short)[0])
        ttft, _, _, n_prompt = first_token(reference)
        results["reference_ttft_s"].append(ttft)
        results["reference_prompt_tok_s"].append(n_prompt / ttft)
        ttft, _, _, n_prompt = first_token(rag)
        results["rag_ttft_s"].append(ttft)
        results["rag_prompt_tokens"].append(n_prompt)
        results["followup_cold_ttft_s"].append(first_token(follow_2)[0])
        first_token(follow_1)  # fills the cache with system + history
        results["followup_cached_ttft_s"].append(first_token(follow_2, reset=False)[0])
        ttft, total, n, _ = first_token(short, max_tokens=64)
        results["generation_tok_s"].append((n - 1) / (total - ttft) if n > 1 else 0.0)
    summary = {k: statistics.median(v) for k, v in results.items()}
    summary["load_s"] = load_s
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--flash-attn", action="store_true")
    parser.add_argument(
        "--compare", action="append", default=[], help="NAME=DIR of an unpacked llama_cpp build"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (used by --compare)")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure(args.flash_attn, args.runs)))
        return

    variants = [
        ("packaged", None, False, "packaged"),
        ("packaged+flash_attn", None, True, "packaged"),
        ("iq4_nl+flash_attn", None, True, "iq4_nl"),
    ]
    for name, path in (c.split("=", 1) for c in args.compare):  # each build with both weights
        variants.append((f"{name}+flash_attn", path, True, "packaged"))
        variants.append((f"{name}+flash_attn+iq4_nl", path, True, "iq4_nl"))
    rows: dict[str, list[dict]] = {name: [] for name, *_ in variants}
    for _ in range(args.runs):  # interleave the variants so machine noise hits all of them alike
        for name, path, flash, weights in variants:
            env = {**os.environ, "BUILTIN_WEIGHTS": weights}
            if path:
                env["PYTHONPATH"] = f"{path}:{env.get('PYTHONPATH', '')}"
            cmd = [sys.executable, __file__, "--json", "--runs", "1"] + (["--flash-attn"] if flash else [])
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True, cwd=ROOT)
            rows[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
    keys = list(next(iter(rows.values()))[0])
    print(f"CPU flags: {cpu_flags()}; medians of {args.runs} runs, variants interleaved")
    print("| metric | " + " | ".join(rows) + " |")
    print("|---|" + "---|" * len(rows))
    for key in keys:
        cells = [f"{statistics.median(r[key] for r in runs):.2f}" for runs in rows.values()]
        print(f"| {key} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
