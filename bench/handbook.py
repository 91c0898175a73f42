"""Retrieval (and, with ``--answers``, answers) on documents that are not filings: six pages of a
real company handbook (bench/data/handbook, Apache-2.0) and 24 questions about details in them.

    python bench/handbook.py [--kb DIR] [--reingest] [--answers]

Each handbook page covers many topics, so a question about one detail ("the meal allowance when
travelling") resembles the whole passage less than a question about a filing's table does. Reports
per question whether the right page was among the passages (doc-hit@3), whether a passage held the
answer's phrase (phrase-hit@3), whether the excerpts the model is given and the likely answer lines
put before the question hold it, the questions that got no passage, the unrelated questions of
bench/unrelated_questions.txt that got sources, and with ``--answers`` whether the built-in
model's answer holds the phrase and which figures the figure check flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import cpu_flags, unrelated_questions  # noqa: E402

HANDBOOK = Path(__file__).with_name("data") / "handbook"
K = 3  # the passages an answer gets (Settings.top_k)


def knowledge_base(directory: Path, reingest: bool):
    import shutil

    from config.settings import Settings
    from core.events import IngestResult
    from core.ingest import Upload, ingest
    from retrieval.knowledge_base import open_knowledge_base

    if reingest:
        shutil.rmtree(directory, ignore_errors=True)
    settings = Settings()
    kb = open_knowledge_base(settings, directory)
    if kb.is_empty():
        uploads = [Upload(p.name, path=p) for p in sorted(HANDBOOK.glob("*.md")) if p.name != "SOURCES.md"]
        results = [e for e in ingest(kb, uploads, settings) if isinstance(e, IngestResult)]
        assert all(r.ok for r in results), [r.message for r in results if not r.ok]
    return kb, settings


def has(text: str, phrases: list[str]) -> bool:
    """Whether ``text`` holds one of the answer's phrases (case-insensitive)."""
    return any(p.lower() in text.lower() for p in phrases)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kb", default="/tmp/handbook-kb")
    parser.add_argument("--reingest", action="store_true")
    parser.add_argument("--answers", action="store_true", help="also answer with the built-in model")
    parser.add_argument(
        "--follow-ups-alone",
        action="store_true",
        help="search follow-up questions alone, as before core/answers/follow_up.py (for a side-by-side run)",
    )
    args = parser.parse_args()

    from core.assistant import LocalAIAssistant

    kb, settings = knowledge_base(Path(args.kb), args.reingest)
    assistant = LocalAIAssistant(replace(settings, read_ahead=False), knowledge_base=kb)
    questions = [json.loads(line) for line in (HANDBOOK / "questions.jsonl").read_text().splitlines() if line]
    print(f"CPU flags: {cpu_flags()}; {len(questions)} questions, k={K}")
    doc_hits = phrase_hits = excerpt_hits = line_hits = rejected = 0
    for q in questions:
        hits = kb.search(q["question"], K)
        passages = assistant.answers.passages_for(q["question"])
        doc = any(h.file == q["file"] for h in hits)
        phrase = any(h.file == q["file"] and has(h.text, q["answers"]) for h in hits)
        excerpt = has("\n".join(p.excerpt or "" for p in passages), q["answers"])
        line = has("\n".join(line for p in passages for line in p.answer_lines), q["answers"])
        doc_hits += doc
        phrase_hits += phrase
        excerpt_hits += excerpt
        line_hits += line
        rejected += not hits
        marks = (
            "no passage"
            if not hits
            else " ".join(
                f"{name} {'+' if hit else '-'}"
                for name, hit in (("doc", doc), ("phrase", phrase), ("excerpt", excerpt), ("line", line))
            )
        )
        print(f"  {marks:<40} {q['question']}")
    unrelated = unrelated_questions()
    attached = [q for q in unrelated if kb.search(q, K)]
    n = len(questions)
    print(
        f"doc-hit@{K} {doc_hits}/{n}, phrase-hit@{K} {phrase_hits}/{n}, "
        f"in the excerpts {excerpt_hits}/{n}, in the likely answer lines {line_hits}/{n}, "
        f"no passage {rejected}, unrelated with sources {len(attached)}/{len(unrelated)} {attached}"
    )
    follow_ups(kb)
    if args.follow_ups_alone:
        import core.answers.passages

        core.answers.passages.search_texts = lambda question, history: [question]
    if args.answers:
        answer_all(assistant, questions)
        answer_follow_ups(assistant)


def follow_ups(kb) -> None:
    """Second questions of a chat that lean on the first (followups.jsonl): searched for alone, and
    as the app searches for them (core.answers.follow_up.search_texts)."""
    from core.answers.follow_up import interleaved, search_texts

    pairs = [json.loads(line) for line in (HANDBOOK / "followups.jsonl").read_text().splitlines() if line]
    alone = together = 0
    for pair in pairs:
        history = [{"role": "user", "content": pair["first"]}, {"role": "assistant", "content": "..."}]
        hits = kb.search(pair["then"], K)
        texts = search_texts(pair["then"], history)
        app_hits = interleaved([kb.search(text, K) for text in texts])
        right = [
            any(h.file == pair["file"] and has(h.text, pair["answers"]) for h in found)
            for found in (hits, app_hits)
        ]
        alone += right[0]
        together += right[1]
        marks = f"alone {'+' if right[0] else '-'} as asked {'+' if right[1] else '-'}"
        print(f"  {marks}  {pair['first']} / {pair['then']}")
    n = len(pairs)
    print(
        f"follow-ups: a passage holds the answer: searched alone {alone}/{n}, as the app does {together}/{n}"
    )


def answer_all(assistant, questions: list[dict]) -> None:
    from core.assistant import AskOptions
    from core.events import Check, Done

    options = AskOptions(backend="embedded")
    right = flagged = 0
    for q in questions:
        events = list(assistant.answers.ask(assistant.chats.new().id, q["question"], options))
        answer = next((e.text for e in events if isinstance(e, Done)), "")
        unsupported = next((e.unsupported_figures for e in events if isinstance(e, Check)), [])
        right += has(answer, q["answers"])
        flagged += bool(unsupported)
        mark = "+" if has(answer, q["answers"]) else "-"
        print(f"  {mark} {q['question']}\n      {answer[:220]!r} flagged={unsupported}")
    print(f"answer holds the phrase: {right}/{len(questions)}; answers with flagged figures: {flagged}")


def answer_follow_ups(assistant) -> None:
    """Each pair of followups.jsonl asked in one chat: does the second answer hold its phrase?"""
    from core.assistant import AskOptions
    from core.events import Done, Sources

    options = AskOptions(backend="embedded")
    pairs = [json.loads(line) for line in (HANDBOOK / "followups.jsonl").read_text().splitlines() if line]
    right = 0
    for pair in pairs:
        chat = assistant.chats.new().id
        list(assistant.answers.ask(chat, pair["first"], options))
        events = list(assistant.answers.ask(chat, pair["then"], options))
        answer = next((e.text for e in events if isinstance(e, Done)), "")
        sources = next((e.items for e in events if isinstance(e, Sources)), [])
        right += has(answer, pair["answers"])
        mark = "+" if has(answer, pair["answers"]) else "-"
        print(f"  {mark} {pair['then']} ({len(sources)} passages)\n      {answer[:200]!r}")
    print(f"follow-up answers holding the phrase: {right}/{len(pairs)}")


if __name__ == "__main__":
    main()
