"""Grounded answers on ../shared/data/rag-bench: does the answer hold the reference's figure?

    python bench/rag_answers.py run --kb DIR --out FILE.jsonl [--builtin fast|better] [--limit N] [--spoken]
    python bench/rag_answers.py score FILE.jsonl [FILE.jsonl ...] [--field spoken] [--calculations]
    python bench/rag_answers.py computed --kb DIR --out FILE.jsonl   (calculations only, no model)
    RAG_BENCH_DIR=../shared/data/rag-bench-more python bench/rag_answers.py ...   (another set)

Scores also figure-hit in the answer's own words (quoted source lines removed), answers that are
nothing but quoted lines, and the share of amount answers that state the figure with a unit and a
period.

``run`` answers every question through the real orchestrator (retrieval, prompt, llama.cpp; models
warm) and writes one JSON line per question: answer, sources, first token, total time, and the
checks' unsupported figures when the app reports them. It uses only the orchestrator's public
API (``LocalAIAssistant.ask`` events), so the same file can run inside a checkout of an earlier
release (a ``git worktree``) for a side-by-side baseline; the knowledge base in ``--kb`` is
ingested by that checkout's own code if it is empty.

``--spoken`` answers as hands-free does (spoken replies on) and also records the sentences read
aloud; ``score --field spoken`` then scores what a listener heard instead of the written answer.

``computed`` runs only the computation step on FinanceBench's calculation questions: the passages
``Answers.ask`` would retrieve for each, then ``core.answers.computed.compute`` with the same
operand search, no model; ``score`` reads its file like a ``run`` file (only the calculation table
means anything then).

``score`` compares files side by side:
- figure-hit: one of the reference answer's figures (FinanceBench: its short answer; docugami:
  figures before "SOURCE(S)", years left out) appears in the answer within 1 %, unit rescaling
  allowed ("$7,192 million" = "7.19 billion");
- flagged: answers with at least one figure the checks did not find in the sources;
- degenerate: empty, or only citation markers / echoed source headers;
- first token median and p90, seconds;
- reference figure in the prompt: the same test on the passages the model was given (an upper
  bound for the model; a miss there is retrieval's or the excerpt's);
- on FinanceBench's calculation questions: figures computed, refused, and computed within 1 % of
  the reference (``--calculations`` lists each one's formula and operands to judge by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
BENCH = Path(os.environ.get("RAG_BENCH_DIR", ROOT.parent / "shared" / "data" / "rag-bench"))


def run(args: argparse.Namespace) -> None:
    from config.settings import Settings
    from core.assistant import AskOptions, LocalAIAssistant
    from core.events import Audio, Done, Sources, Stats
    from retrieval.knowledge_base import open_knowledge_base

    # Questions come back to back, each in a new chat: reading the next prompt's start ahead (done
    # while a real reader reads the answer) would only hold up the next question here.
    settings = Settings.from_env(
        data_dir=Path(args.out).with_suffix(".data"), max_answer_tokens=args.max_tokens, read_ahead=False
    )
    kb = open_knowledge_base(settings, args.kb)
    assistant = LocalAIAssistant(settings, knowledge_base=kb)
    if kb.is_empty():
        from core.ingest import Upload

        uploads = [Upload(p.name, path=p) for p in sorted((BENCH / "pdfs").glob("*.pdf"))]
        for event in assistant.library.ingest(uploads):
            if getattr(event, "ok", True) is False:
                print(event.message, file=sys.stderr)
    fields = AskOptions.__dataclass_fields__
    extra = {"builtin_model": args.builtin} if "builtin_model" in fields and args.builtin else {}
    options = AskOptions(backend="embedded", speak=args.spoken, **extra)
    list(assistant.answers.ask(assistant.chats.new().id, "Say hi.", options))  # warm up
    prompts: list[str] = []  # what the model was given, to tell retrieval misses from model misses
    if hasattr(assistant, "answers"):
        build = assistant.answers.prompter.build_messages

        def recording_build(*a, **k):
            messages = build(*a, **k)
            asked = [m for m in messages if m["role"] == "user"]  # not the answer's quoted opening
            prompts.append(asked[-1]["content"] if asked else "")
            return messages

        assistant.answers.prompter.build_messages = recording_build
    rows = [json.loads(line) for line in (BENCH / "qa.jsonl").read_text().splitlines() if line.strip()]
    with open(args.out, "w", encoding="utf-8") as out:
        for row in rows[args.offset :: args.every][: args.limit or None]:
            started = time.perf_counter()
            prompts.clear()
            events = list(assistant.answers.ask(assistant.chats.new().id, row["question"], options))
            sources = next((e.items for e in events if isinstance(e, Sources)), [])
            stats = next((e for e in events if isinstance(e, Stats)), None)
            done = next((e for e in events if isinstance(e, Done)), None)
            check = next((e for e in events if type(e).__name__ == "Check"), None)
            computed = next((e.items for e in events if type(e).__name__ == "Computed"), None)
            record = {
                "id": row["id"],
                "dataset": row["dataset"],
                "question_type": row.get("question_type", ""),
                "reference": row["answer"],
                "answer": done.text if done else "",
                "sources": [[s.file, s.page_start, s.page_end] for s in sources],
                "first_token_s": stats.first_token_s if stats else None,
                "prompt_tokens": stats.prompt_tokens if stats else None,
                "retrieval_s": (stats.breakdown or {}).get("retrieval_s") if stats else None,
                "total_s": time.perf_counter() - started,
                "unsupported": check.unsupported_figures if check else None,
                "prompt": prompts[-1] if prompts else None,
                "computed": computed,
            }
            if args.spoken:  # what a listener hears: the sentences that were spoken
                record["spoken"] = " ".join(e.text for e in events if isinstance(e, Audio))
            out.write(json.dumps(record) + "\n")
            out.flush()
            print(f"{row['id']}: {record['answer'][:100]!r}", file=sys.stderr)


def computed_only(args: argparse.Namespace) -> None:
    """The computation step alone on the calculation questions (what ``Answers.ask`` computes
    before the model writes): one JSON line per question, read by ``score``."""
    from config.settings import Settings
    from core.answers.computed import compute
    from core.assistant import AskOptions, LocalAIAssistant
    from retrieval.knowledge_base import open_knowledge_base

    settings = Settings.from_env(data_dir=Path(args.out).with_suffix(".data"), read_ahead=False)
    kb = open_knowledge_base(settings, args.kb)
    assistant = LocalAIAssistant(settings, knowledge_base=kb)
    passages = assistant.answers.passages
    wider = 2 * settings.top_k  # as Answers.ask searches for a missing operand
    rows = [json.loads(line) for line in (BENCH / "qa.jsonl").read_text().splitlines() if line.strip()]
    with open(args.out, "w", encoding="utf-8") as out:
        for row in rows:
            if row.get("question_type") != "metrics-generated":
                continue
            sources = passages.for_question(row["question"], [], kb, AskOptions(backend="embedded"))
            computation, _ = compute(
                row["question"],
                sources,
                lambda t: passages.retrieve(t, kb, k=wider),
                passages.on_pages(kb),
            )
            record = {
                "id": row["id"],
                "dataset": row["dataset"],
                "question_type": row["question_type"],
                "reference": row["answer"],
                "answer": "",
                "sources": [[s.file, s.page_start, s.page_end] for s in sources],
                "first_token_s": None,
                "unsupported": None,
                "prompt": None,
                "computed": [computation.as_dict()] if computation else None,
            }
            out.write(json.dumps(record) + "\n")
            shown = "none" if computation is None else computation.refused or computation.shown
            print(f"{row['id']}: {shown}", file=sys.stderr)


def reference_figures(record: dict):
    from core.answers.figures import find_figures, is_trivial

    text = record["reference"].split("SOURCE(S)")[0]
    return [f for f in find_figures(text) if not is_trivial(f)]


def figure_hit(record: dict, field: str = "answer") -> bool | None:
    """None when the reference has no figure to look for (or ``field`` was not recorded)."""
    from core.answers.figures import find_figures

    wanted = reference_figures(record)
    if not wanted or record.get(field) is None:
        return None
    found = find_figures(record[field])
    for ref in wanted:
        for got in found:
            if got.percent != ref.percent:
                continue
            scales = (1.0,) if ref.percent else (1.0, 1e3, 1e6, 1e9, 1e-3, 1e-6, 1e-9)
            if any(abs(got.value * s - ref.value) <= 0.01 * abs(ref.value) for s in scales):
                return True
    return False


_QUOTED = re.compile(r'(?:\[\d{1,3}\]\s*)?["“][^"”\n]*["”]?')
_UNIT = re.compile(r"\$\s?\d|\d\s?%|\d\s+(?:million|billion|thousand|percent|days)\b", re.I)
_PERIOD = re.compile(r"\b(?:19|20)\d\d\b|\b(?:quarter|months|year|fiscal)\b", re.I)


def own_words(answer: str) -> str:
    """The answer without the source lines it quotes (``[1] "Total net sales 117,154"``), and
    without the app's note that the model answered only with quoted lines (still quote-only)."""
    from core.answers.checks import QUOTES_ONLY_OPENING

    words = _QUOTED.sub(" ", answer).strip()
    if words.startswith(QUOTES_ONLY_OPENING):
        words = re.sub(r"^.*?from your documents:", "", words).strip()
    return words


def states_figure(answer: str) -> bool:
    """In its own words, the answer is a sentence with a figure, its unit and a period."""
    words = own_words(answer)
    return bool(_UNIT.search(words) and _PERIOD.search(words) and len(words.split()) >= 4)


def score(paths: list[str], same_questions: bool = False, field: str = "answer") -> None:
    """One row per file; ``same_questions``: only the questions every file answered; ``field``:
    "spoken" scores what a listener heard (runs made with --spoken)."""
    from core.answers.checks import FALLBACK_OPENING, is_degenerate

    runs = {p: [json.loads(line) for line in Path(p).read_text().splitlines() if line.strip()] for p in paths}
    if same_questions:
        common = set.intersection(*({r["id"] for r in records} for records in runs.values()))
        runs = {p: [r for r in records if r["id"] in common] for p, records in runs.items()}

    print(
        "| run | questions | figure-hit (all) | figure-hit FinanceBench | figure-hit 10-Q | "
        "figure-hit, own words (quotes removed) | quote-only answers | amount answers stating figure, "
        "unit and period | answers with a flagged figure | degenerate | first token s median / p90 | "
        "reference figure in the prompt |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for path, records in runs.items():
        hits = {"all": [], "financebench": [], "docugami-sec10q": []}
        for r in records:
            hit = figure_hit(r, field)
            if hit is not None:
                hits["all"].append(hit)
                hits[r["dataset"]].append(hit)
        own = [figure_hit({**r, "own": own_words(r.get(field) or "")}, "own") for r in records]
        own = [h for h in own if h is not None]
        quote_only = sum(bool(r.get(field)) and is_degenerate(own_words(r.get(field) or "")) for r in records)
        amounts = [states_figure(r.get(field) or "") for r in records if reference_figures(r)]
        flagged = [bool(r["unsupported"]) for r in records if r["unsupported"] is not None]
        # A degenerate model answer is stored replaced by the quoted-line fallback: count those too.
        degenerate = sum(
            is_degenerate(r["answer"]) or r["answer"].startswith(FALLBACK_OPENING) for r in records
        )
        firsts = [r["first_token_s"] for r in records if r["first_token_s"] is not None]
        in_prompt = [h for h in (figure_hit(r, "prompt") for r in records) if h is not None]

        def share(values):
            return f"{sum(values) / len(values):.2f} ({sum(values)}/{len(values)})" if values else "-"

        p90 = statistics.quantiles(firsts, n=10)[-1] if len(firsts) > 1 else float("nan")
        median = statistics.median(firsts) if firsts else float("nan")  # none for a ``computed`` file
        print(
            f"| {Path(path).stem} | {len(records)} | {share(hits['all'])} | {share(hits['financebench'])} | "
            f"{share(hits['docugami-sec10q'])} | {share(own)} | {quote_only} | {share(amounts)} | "
            f"{share(flagged) if flagged else 'not checked'} | "
            f"{degenerate} | {median:.2f} / {p90:.2f} | "
            f"{share(in_prompt) if in_prompt else 'not recorded'} |"
        )


def computed_hit(reference: str, computed: dict) -> bool:
    """Whether a computed figure is within 1 % of the reference answer ("0.66", "65.4%",
    "$1832.00" in the question's USD millions or billions), or within its rounding. Ratios below
    10 count too (the answer-text figure-hit leaves them out as too easily matched by chance)."""
    number = re.search(r"-?\d[\d,]*(?:\.\d+)?", reference)
    if not number or computed.get("refused") or computed.get("value") is None:
        return False
    printed = number.group(0).replace(",", "")
    ref = float(printed)
    value = float(computed["value"])
    # The reference is rounded ("0.4%" for 0.447 %): half its last digit is within it too.
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    rounding = 0.5 * 10**-decimals
    scales = (1.0, 1e3, 1e6, 1e9) if "$" in reference or abs(value) >= 1e4 else (1.0,)
    return any(abs(value - ref * s) <= max(0.01 * abs(ref * s), rounding * s) for s in scales)


def calculations(paths: list[str], show: bool = False) -> None:
    """FinanceBench's calculation questions ("metrics-generated": the reference is computed from
    statement lines): how many got a computed figure, how many were refused, how many computed
    results are within 1 % of the reference, and how many answers hold the reference figure.
    ``show`` lists each question's computation (formula, operands) to judge by hand."""
    rows = {
        json.loads(line)["id"]: json.loads(line) for line in (BENCH / "qa.jsonl").read_text().splitlines()
    }
    print(
        "\n| run | calculation questions | computed | refused | computed result within 1 % | "
        "answer holds the reference figure | answered within 1 % (computed right, or the figure in "
        "the answer's own words) |"
    )
    print("|---|---|---|---|---|---|---|")
    for path in paths:
        records = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
        calc = [r for r in records if rows.get(r["id"], {}).get("question_type") == "metrics-generated"]
        done = [c for r in calc for c in (r.get("computed") or [])[:1] if not c["refused"]]
        refused = [c for r in calc for c in (r.get("computed") or [])[:1] if c["refused"]]
        right = [r for r in calc for c in (r.get("computed") or [])[:1] if computed_hit(r["reference"], c)]
        held = [r for r in calc if figure_hit(r)]
        answered = [
            r
            for r in calc
            if any(computed_hit(r["reference"], c) for c in (r.get("computed") or [])[:1])
            or figure_hit({**r, "answer": own_words(r["answer"])})
        ]
        print(
            f"| {Path(path).stem} | {len(calc)} | {len(done)} | {len(refused)} | {len(right)} | "
            f"{len(held)} | {len(answered)} |"
        )
        if show:
            for r in calc:
                question = rows[r["id"]]["question"]
                print(f"\n- {r['id']} (reference {r['reference']}): {question[:160]}")
                for c in r.get("computed") or []:
                    if c["refused"]:
                        print(f"  refused: {c['name']}: {c['refused']}")
                    else:
                        ops = "; ".join(
                            f"{o['label']} {o['value']} ({o['period']}, [{o['source']}])"
                            for o in c["operands"]
                        )
                        print(f"  {c['name']} = {c['shown']} <- {ops}")
                print(f"  answer: {r['answer'][:200]!r}")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--kb", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--builtin", default="", help="fast or better (the built-in model)")
    r.add_argument("--limit", type=int, default=0)
    r.add_argument("--every", type=int, default=1, help="take every n-th question (a quick sample)")
    r.add_argument(
        "--offset", type=int, default=0, help="start at this question (--every 2 --offset 1: the other half)"
    )
    r.add_argument("--max-tokens", type=int, default=160)
    r.add_argument("--spoken", action="store_true", help="answers spoken, as hands-free gives them")
    c = sub.add_parser("computed", help="the computation step alone on the calculation questions")
    c.add_argument("--kb", required=True)
    c.add_argument("--out", required=True)
    s = sub.add_parser("score")
    s.add_argument("files", nargs="+")
    s.add_argument("--same-questions", action="store_true", help="only questions every file answered")
    s.add_argument("--field", default="answer", help='"spoken": score what was read aloud (--spoken runs)')
    s.add_argument("--calculations", action="store_true", help="also list each calculation question's work")
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    elif args.command == "computed":
        computed_only(args)
    else:
        score(args.files, args.same_questions, args.field)
        calculations(args.files, args.calculations)


if __name__ == "__main__":
    main()
