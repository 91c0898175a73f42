"""Grounded answers with the embedded model: time to first token of the app's real RAG prompt and
answer quality, for whole passages vs passages trimmed to a token budget, side by side.

    python bench/rag_answers.py [--budgets 0,300] [--limit 21]

For each of the 21 dev questions and each budget (0 = whole passages) the real orchestrator
answers (retrieval + prompt + llama.cpp); reported per budget: median prompt tokens, median and
p90 time to first token (question in -> first token out, retrieval included, models warm), and
two quality proxies against the reference answers written by others:
  - context recall: share of the reference answer's figures (numbers like 23,198 or 34.9) found
    in the prompt's passages;
  - answer recall: share of them found in the generated answer.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
DEV = ROOT.parent / "shared" / "data" / "rag-dev"
_NUMBER = re.compile(r"\d[\d,]*\.?\d*")


def figures(text: str) -> set[str]:
    """Numbers of 3+ digits as digit strings ("$23.198 billion" and "23,198" both give "23198");
    years (19xx, 20xx) are left out."""
    out = set()
    for match in _NUMBER.findall(text):
        digits = re.sub(r"\D", "", match)
        if len(digits) >= 3 and not re.fullmatch(r"(19|20)\d\d", digits):
            out.add(digits)
    return out


def recall(reference: set[str], text: str) -> float | None:
    if not reference:
        return None
    found = figures(text)
    return len(reference & found) / len(reference)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budgets", default="0,300")
    parser.add_argument("--limit", type=int, default=21)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--cold", action="store_true", help="clear the KV cache before every question")
    args = parser.parse_args()

    import json

    from config.settings import Settings
    from core.assistant import AskOptions, LocalAIAssistant
    from core.events import IngestResult, Sources, Stats, Token
    from core.ingest import Upload

    budgets = [int(b) for b in args.budgets.split(",")]
    qa = [json.loads(line) for line in (DEV / "qa.jsonl").read_text().splitlines() if line.strip()]
    qa = qa[: args.limit]
    tmp = Path(tempfile.mkdtemp(prefix="bench-answers-"))
    base = Settings(data_dir=tmp, max_answer_tokens=args.max_tokens, temperature=0.0)
    assistants = {}
    shared_llms: dict = {}
    kb = None
    for budget in budgets:
        settings = Settings(**{**base.__dict__, "context_budget_tokens": budget})
        a = LocalAIAssistant(settings, llms=shared_llms, knowledge_base=kb)
        if kb is None:
            kb = a.knowledge_base
            uploads = [Upload(p.name, path=p) for p in sorted((DEV / "pdfs").glob("*.pdf"))]
            assert all(e.ok for e in a.ingest(uploads) if isinstance(e, IngestResult))
            shared_llms.update(a._llms)
        a._llms = shared_llms
        assistants[budget] = a
    warm = assistants[budgets[0]]
    list(warm.ask(warm.new_conversation().id, "Warm up: say hi.", AskOptions(backend="embedded")))

    rows: dict[int, dict[str, list[float]]] = {
        b: {"tokens": [], "ttft": [], "ctx": [], "ans": []} for b in budgets
    }
    for item in qa:
        reference = figures(item["answer"].split("SOURCE(S)")[0])
        for budget in budgets:  # interleaved: machine noise hits every budget alike
            a = assistants[budget]
            if args.cold:
                a.llm("embedded").load().reset()  # no KV cache carried from the previous question
            events = list(a.ask(a.new_conversation().id, item["question"], AskOptions(backend="embedded")))
            stats = next(e for e in events if isinstance(e, Stats))
            sources = next((e.items for e in events if isinstance(e, Sources)), [])
            answer = "".join(e.text for e in events if isinstance(e, Token))
            context = "\n".join(s.excerpt or s.text for s in sources)
            r = rows[budget]
            r["tokens"].append(stats.prompt_tokens)
            r["ttft"].append(stats.first_token_s or stats.total_s)
            for key, text in (("ctx", context), ("ans", answer)):
                value = recall(reference, text)
                if value is not None:
                    r[key].append(value)

    print(
        "| passages in prompt | prompt tokens (median) | first token s (median) | first token s (p90) | "
        "context recall of reference figures | answer recall of reference figures |"
    )
    print("|---|---|---|---|---|---|")
    for budget, r in rows.items():
        label = "whole (top 3 chunks)" if budget == 0 else f"trimmed to {budget} tokens"
        p90 = statistics.quantiles(r["ttft"], n=10)[-1] if len(r["ttft"]) > 1 else r["ttft"][0]
        print(
            f"| {label} | {statistics.median(r['tokens']):.0f} | {statistics.median(r['ttft']):.2f} | "
            f"{p90:.2f} | {statistics.mean(r['ctx']):.2f} | {statistics.mean(r['ans']):.2f} |"
        )
    print(f"\n{len(qa)} questions; {len(rows[budgets[0]]['ctx'])} have figures in their reference answer.")


if __name__ == "__main__":
    main()
