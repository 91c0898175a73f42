"""Headless entry on the same orchestrator as the app (for scripts and benchmarks).

python cli.py ask "What is the capital of France?" [--backend embedded] [--model NAME]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from config.settings import Settings  # noqa: E402
from core.assistant import AskOptions, LocalAIAssistant  # noqa: E402
from core.events import Error, Notice, Sources, Stats, Token  # noqa: E402
from errors import AssistantError  # noqa: E402


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    assistant = LocalAIAssistant(settings)
    conversation = assistant.new_conversation()
    options = AskOptions(
        backend=args.backend,
        ollama_model=args.model if args.backend != "embedded" else "",
        gguf_path=args.model if args.backend == "embedded" else "",
        preset=args.preset,
    )
    status = 0
    for event in assistant.ask(conversation.id, args.question, options):
        if isinstance(event, Token):
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, Notice):
            print(f"[note] {event.text}", file=sys.stderr)
        elif isinstance(event, Sources):
            for s in event.items:
                print(f"[{s.number}] {s.file} p.{s.page_start}-{s.page_end}", file=sys.stderr)
        elif isinstance(event, Error):
            print(f"\n[error] {event.text}", file=sys.stderr)
            status = 1
        elif isinstance(event, Stats) and args.stats:
            first = f"{event.first_token_s:.2f}" if event.first_token_s is not None else "-"
            print(
                f"\n[stats] {event.backend}/{event.model} first token {first} s, "
                f"total {event.total_s:.2f} s, {event.tokens_per_s:.1f} tokens/s",
                file=sys.stderr,
            )
    print()
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description="Local assistant, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="ask a question and stream the answer to stdout")
    ask.add_argument("question")
    ask.add_argument("--backend", choices=["auto", "ollama", "embedded"], default="auto")
    ask.add_argument("--model", default="", help="Ollama model name, or a GGUF path with --backend embedded")
    ask.add_argument("--preset", default="default")
    ask.add_argument("--stats", action="store_true", help="print timings to stderr")
    ask.set_defaults(func=cmd_ask)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return args.func(args, settings)
    except AssistantError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
