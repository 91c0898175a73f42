"""Headless entry on the same orchestrator as the app (for scripts and benchmarks).

python cli.py ask "What is the capital of France?" [--backend embedded] [--model NAME] [--kb DIR] [--json]
python cli.py ingest --kb DIR FILE_OR_FOLDER ... [--password PW]
python cli.py search --kb DIR -k 5 --json "question" ...   (one JSON array per question, per line)
python cli.py eval --kb DIR qa.jsonl -k 5                   (hit@k and MRR)
python cli.py api-key create NAME [--kb NAME ...] | list | revoke NAME   (keys of the HTTP API)
python cli.py folder follow FOLDER [--kb NAME] | sync [--kb NAME] | list
python cli.py folder unfollow [--kb NAME] [--remove-documents]
    a knowledge base (by name; default My documents) follows a folder: sync adds new files, reads
    changed ones again and removes the documents of deleted ones (the app also syncs by itself)
python cli.py kb copy --to postgres|sqlite [--kb NAME_OR_DIR | --all]
    copy a knowledge base from the embedded SQLite store to the PostgreSQL database in
    DATABASE_URL (--to postgres) or back (--to sqlite), without re-embedding; one transaction per
    document, documents already there (same sha256) skipped, so an interrupted copy is run again
    to finish it; then compares document and chunk counts and a few searches' top hits (exit 1
    on a mismatch). The app uses PostgreSQL while DATABASE_URL is set, SQLite when it is not.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from config.settings import Settings  # noqa: E402
from core.assistant import AskOptions, LocalAIAssistant  # noqa: E402
from core.events import (  # noqa: E402
    Check,
    Computed,
    Done,
    Error,
    IngestProgress,
    IngestResult,
    Notice,
    Sources,
    Stats,
    Token,
)
from core.folder_sync import FolderSync  # noqa: E402
from core.ingest import Upload  # noqa: E402
from core.library import DEFAULT  # noqa: E402
from errors import AssistantError  # noqa: E402
from utils.words import counted  # noqa: E402

KB_HELP = "a knowledge base: its name in the app, or a directory (default: My documents, DATA_DIR/kb)"


def _assistant(settings: Settings, kb: str | None = None, create: bool = False) -> LocalAIAssistant:
    from core.library import open_at

    directory = _kb_directory(settings, kb, create) if kb else None
    knowledge_base = open_at(settings, directory) if directory else None
    return LocalAIAssistant(settings, knowledge_base=knowledge_base)


def _is_folder(kb: str) -> bool:
    """Whether ``--kb`` names a directory (an existing one, or a path with a slash), not a name."""
    return Path(kb).expanduser().is_dir() or "/" in kb or kb.startswith(".")


def _kb_directory(settings: Settings, kb: str, create: bool) -> str:
    """``--kb``: a directory (an existing one, or a path with a slash), else the name of one of the
    app's knowledge bases (made by ``ingest`` if it does not exist yet)."""
    from core.library import collection_store

    path = Path(kb).expanduser()
    if _is_folder(kb):
        return str(path)
    store = collection_store(settings)
    found = store.find(kb)
    if found is None:
        if not create:
            names = ", ".join(f'"{c.name}"' for c in store.list())
            raise SystemExit(f'No knowledge base called "{kb}" (there are: {names}).')
        found = store.create(kb)
        print(f'Created the knowledge base "{found.name}".', file=sys.stderr)
    return str(store.directory(found.id))


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    # one question per process: no follow-up to read the prompt ahead for (the exit would wait for it)
    assistant = _assistant(replace(settings, read_ahead=False), args.kb)
    conversation = assistant.chats.new()
    options = AskOptions(
        backend=args.backend,
        ollama_model=args.model if args.backend in ("ollama", "auto") else "",
        openai_model=args.model if args.backend == "openai" else "",
        openai_base_url=args.openai_url,
        gguf_path=args.model if args.backend == "embedded" else "",
        builtin_model=args.builtin,
        preset=args.preset,
        documents_only=args.documents_only,
    )
    status = 0
    result: dict = {"answer": "", "sources": [], "computed": [], "unsupported_figures": [], "stats": {}}
    for event in assistant.answers.ask(conversation.id, args.question, options):
        if isinstance(event, Token) and not args.json:
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, Notice):
            print(f"[note] {event.text}", file=sys.stderr)
        elif isinstance(event, Sources):
            result["sources"] = [
                {k: getattr(s, k) for k in ("number", "file", "page_start", "page_end", "score")}
                for s in event.items
            ]
            if not args.json:
                for s in event.items:
                    print(f"[{s.number}] {s.file} {s.pages} (relevance {s.score:.2f})", file=sys.stderr)
        elif isinstance(event, Computed):
            result["computed"] = event.items
            if not args.json:
                for c in event.items:
                    work = f"not computed: {c['refused']}" if c["refused"] else f"{c['name']} = {c['shown']}"
                    print(f"[computed] {work}", file=sys.stderr)
        elif isinstance(event, Check):
            result["unsupported_figures"] = event.unsupported_figures
            if not args.json and event.unsupported_figures:
                print(
                    f"\n[check] not in the sources: {', '.join(event.unsupported_figures)}", file=sys.stderr
                )
        elif isinstance(event, Error):
            print(f"\n[error] {event.text}", file=sys.stderr)
            result["error"] = event.text
            status = 1
        elif isinstance(event, Stats):
            result["stats"] = {**event.__dict__, "tokens_per_s": round(event.tokens_per_s, 2)}
            if args.stats and not args.json:
                first = f"{event.first_token_s:.2f}" if event.first_token_s is not None else "-"
                print(
                    f"\n[stats] {event.backend}/{event.model} first token {first} s, "
                    f"total {event.total_s:.2f} s, {event.tokens_per_s:.1f} tokens/s",
                    file=sys.stderr,
                )
        elif isinstance(event, Done):
            result["answer"] = event.text
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print()
    return status


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings, args.kb, create=True)
    files, ignored = _documents_in([Path(f) for f in args.files])
    uploads = [Upload(f.name, path=f, password=args.password) for f in files]
    failed = skipped = 0
    events: queue.Queue[IngestProgress | IngestResult | None] = queue.Queue()
    assistant.ingest_jobs.start(DEFAULT, uploads, on_event=events.put, cleanup=lambda: events.put(None))
    for event in iter(events.get, None):
        if isinstance(event, IngestProgress):
            if not sys.stderr.isatty():
                continue
            width = 30
            filled = width * event.done // max(event.total, 1)
            sys.stderr.write(
                f"\r{event.file[:40]:40} {event.stage:9} [{'#' * filled}{'.' * (width - filled)}] "
                f"{event.done}/{event.total}"
            )
            sys.stderr.flush()
        else:
            if sys.stderr.isatty():
                sys.stderr.write("\r" + " " * 100 + "\r")
            print(("ok    " if event.ok else "FAILED ") + event.message)
            failed += not event.ok
            skipped += event.skipped
    docs = assistant.library.documents()
    added = len(uploads) - failed - skipped
    others = f", {ignored} of other kinds ignored" if ignored else ""
    print(f"{added} added, {skipped} already there, {failed} failed{others}")
    print(f"knowledge base: {len(docs)} documents, {sum(d.chunks for d in docs)} chunks")
    return 1 if failed else 0


def _documents_in(paths: list[Path]) -> tuple[list[Path], int]:
    """The supported files named, and those under named folders (recursively, sorted); and how
    many files under the folders were of other kinds."""
    from core.library import Library

    supported = {f".{suffix}" for suffix in Library.document_types()}
    files: list[Path] = []
    ignored = 0
    for path in paths:
        if not path.is_dir():
            files.append(path)  # named explicitly: an unsupported kind gets its own message
            continue
        for found in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
            if found.suffix.lower() in supported:
                files.append(found)
            else:
                ignored += 1
    return files, ignored


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings, args.kb)
    for question in args.questions:
        hits = assistant.library.search(question, args.k)
        if args.json:
            print(json.dumps([h.as_json() for h in hits], ensure_ascii=False))
        else:
            print(f"# {question}")
            for i, h in enumerate(hits, 1):
                snippet = " ".join(h.text.split())[:160]
                print(f"{i}. {h.file} p.{h.page_start}-{h.page_end} ({h.score:.3f}) {snippet}")
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    assistant = _assistant(settings, args.kb)
    report = assistant.library.evaluate(args.qa, args.k)
    if args.json:
        print(json.dumps(report.as_dict()))
    else:
        print(report.summary())
    return 0


def cmd_transcribe(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from errors import AudioError, ModelMissing

    assistant = LocalAIAssistant(settings)
    status = 0
    for name in args.files:
        started = time.perf_counter()
        try:
            heard = assistant.voice.transcribe(Path(name).read_bytes(), args.engine, args.size, args.language)
            row = {"file": name, "text": heard.text, "duration_s": round(heard.duration_s, 3)}
        except (AudioError, ModelMissing, OSError) as e:
            row = {"file": name, "text": "", "duration_s": 0.0, "error": str(e)}
            status = 1
        row["seconds"] = round(time.perf_counter() - started, 3)
        print(json.dumps(row, ensure_ascii=False) if args.json else f"{name}: {row['text'] or row['error']}")
    return status


def cmd_speak(args: argparse.Namespace, settings: Settings) -> int:
    wav = LocalAIAssistant(settings).voice.speak(args.text)
    Path(args.output).write_bytes(wav)
    print(f"wrote {args.output} ({len(wav):,} bytes)")
    return 0


def cmd_api_key(args: argparse.Namespace, settings: Settings) -> int:
    """Keys of the HTTP API: a new one is printed once (only its sha256 is kept)."""
    import time

    assistant = LocalAIAssistant(settings)
    keys = assistant.api_keys
    if args.action == "create":
        if not args.name:
            raise SystemExit("usage: cli.py api-key create NAME [--kb NAME ...]")
        key, record = keys.create(args.name, args.kb)
        print(key)
        print(
            f'Made the key "{record.name}". It is shown only this once: keep it now. '
            "Send it as 'Authorization: Bearer <key>'.",
            file=sys.stderr,
        )
    elif args.action == "list":
        names = {kb.id: kb.name for kb in assistant.library.knowledge_bases()}
        for k in keys.list():
            made = time.strftime("%Y-%m-%d %H:%M", time.localtime(k.created_at))
            bases = ", ".join(names.get(i, f"{i} (deleted)") for i in k.knowledge_bases)
            bases = bases or "all knowledge bases"
            print(f"{k.name}\tmade {made}\t{bases}")
    else:
        if not args.name:
            raise SystemExit("usage: cli.py api-key revoke NAME")
        keys.revoke(args.name)
        print(f'Revoked the key "{args.name}".')
    return 0


def cmd_kb(args: argparse.Namespace, settings: Settings) -> int:
    """``kb copy``: a knowledge base (or all of them) from SQLite to PostgreSQL or back; the app's
    knowledge bases are found in the list of the store copied from, and listed in the other's."""
    from core.kb_transfer import copy_knowledge_base
    from core.library import collection_store

    on_sqlite = replace(settings, database_url="")
    source = collection_store(on_sqlite if args.to == "postgres" else settings)
    if args.all:
        targets = [(c, str(source.directory(c.id))) for c in source.list()]
    elif args.kb and _is_folder(args.kb):
        targets = [(None, str(Path(args.kb).expanduser()))]
    else:
        found = source.find(args.kb or "My documents")
        if found is None:
            names = ", ".join(f'"{c.name}"' for c in source.list())
            raise SystemExit(f'No knowledge base called "{args.kb}" (there are: {names}).')
        targets = [(found, str(source.directory(found.id)))]
    status = 0
    for collection, directory in targets:
        print(f"# {collection.name if collection else directory}")
        report = copy_knowledge_base(
            settings,
            directory,
            args.to,
            lambda doc, outcome: print(f"{outcome:8} {doc}", file=sys.stderr),
        )
        print("\n".join(report.lines()))
        if collection is not None and report.ok:
            collection_store(settings if args.to == "postgres" else on_sqlite).adopt(collection)
        status = status or (0 if report.ok else 1)
    return status


def cmd_folder(args: argparse.Namespace, settings: Settings) -> int:
    """``folder follow/sync/unfollow/list``: knowledge bases that follow a folder."""
    assistant = LocalAIAssistant(settings)
    folders, library = assistant.folders, assistant.library
    if args.action == "list":
        names = {kb.id: kb.name for kb in library.knowledge_bases()}
        for link in folders.links():
            report = link.last_report or "not synced yet"
            print(f"{names.get(link.collection, link.collection)}\t{link.folder}\t{report}")
        return 0
    kb = library.find(args.kb or DEFAULT)
    if kb is None and args.action == "follow" and args.kb:
        kb = library.create(args.kb)
    if kb is None:
        raise SystemExit(f'No knowledge base called "{args.kb}".')
    if args.action == "unfollow":
        removed = folders.unfollow(kb.id, args.remove_documents)
        print(f"{kb.name} no longer follows a folder; {counted(removed, 'document')} removed.")
        return 0
    if args.action == "follow":
        if not args.folder:
            raise SystemExit("usage: cli.py folder follow FOLDER [--kb NAME]")
        link = folders.follow(kb.id, Path(args.folder).expanduser().absolute())
        print(f"{kb.name} follows {link.folder}.")
    return _sync_folder(folders, kb.id)


def _sync_folder(folders: FolderSync, collection: str) -> int:
    job = folders.sync(collection)
    if job is not None:
        while not job.finished.wait(1.0):
            if sys.stderr.isatty():
                sys.stderr.write(f"\r{job.summary[:100]:100}")
                sys.stderr.flush()
        if sys.stderr.isatty():
            sys.stderr.write("\r" + " " * 100 + "\r")
        for file in job.files:
            print(("FAILED " if file.state == "failed" else "ok     ") + file.status)
    link = folders.link(collection)
    print(link.last_report if link else "")
    return 1 if job is not None and job.failed else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description="Local assistant, headless.")
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="ask a question and stream the answer to stdout")
    ask.add_argument("question")
    ask.add_argument("--backend", choices=["auto", "openai", "ollama", "embedded"], default="auto")
    ask.add_argument(
        "--model", default="", help="Ollama or server model name, or a GGUF path with --backend embedded"
    )
    ask.add_argument("--builtin", choices=["fast", "better"], default="", help="the built-in model")
    ask.add_argument("--openai-url", default="", help="an OpenAI-compatible server, e.g. http://host:8080/v1")
    ask.add_argument("--documents-only", action="store_true", help="answer only from the documents")
    ask.add_argument(
        "--json",
        action="store_true",
        help='print one JSON object at the end: {"answer", "sources", "unsupported_figures", "stats"}',
    )
    ask.add_argument("--preset", default="default")
    ask.add_argument("--stats", action="store_true", help="print timings to stderr")
    ask.add_argument("--kb", help=KB_HELP)
    ask.set_defaults(func=cmd_ask)

    ing = sub.add_parser(
        "ingest", help="add documents (PDF, docx, html, md, txt) or whole folders to a knowledge base"
    )
    ing.add_argument("files", nargs="+")
    ing.add_argument("--kb", help=KB_HELP)
    ing.add_argument("--password", default="", help="password for encrypted PDFs")
    ing.set_defaults(func=cmd_ingest)

    search = sub.add_parser("search", help="retrieve passages for questions")
    search.add_argument("questions", nargs="+")
    search.add_argument("--kb", help=KB_HELP)
    search.add_argument("-k", type=int, default=5)
    search.add_argument("--json", action="store_true", help="one JSON array of hits per question, per line")
    search.set_defaults(func=cmd_search)

    ev = sub.add_parser("eval", help="hit@k and MRR of retrieval on a QA file (JSON lines)")
    ev.add_argument("qa")
    ev.add_argument("--kb", help=KB_HELP)
    ev.add_argument("-k", type=int, default=5)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)

    tr = sub.add_parser("transcribe", help="speech to text for audio files (any container)")
    tr.add_argument("files", nargs="+")
    tr.add_argument(
        "--json", action="store_true", help='one {"file", "text", "duration_s", "seconds"} per line'
    )
    tr.add_argument("--engine", default="", help="faster-whisper (default) or openai-whisper")
    tr.add_argument(
        "--size",
        default="",
        help="Whisper size: tiny.en (default, fast), base (accurate) or a .pt checkpoint",
    )
    tr.add_argument(
        "--language", default="", help='language for multilingual sizes (default en; "auto" detects)'
    )
    tr.set_defaults(func=cmd_transcribe)

    sp = sub.add_parser("speak", help="text to speech into a WAV file")
    sp.add_argument("text")
    sp.add_argument("-o", "--output", default="speech.wav")
    sp.set_defaults(func=cmd_speak)

    key = sub.add_parser("api-key", help="make, list or revoke keys of the HTTP API (./run.sh api)")
    key.add_argument("action", choices=["create", "list", "revoke"])
    key.add_argument("name", nargs="?", default="", help="the key's name (create, revoke)")
    key.add_argument(
        "--kb", action="append", default=[], help="create: limit the key to this knowledge base (repeatable)"
    )
    key.set_defaults(func=cmd_api_key)

    folder = sub.add_parser("folder", help="a knowledge base that follows a folder (kept in sync)")
    folder.add_argument("action", choices=["follow", "sync", "unfollow", "list"])
    folder.add_argument("folder", nargs="?", help="follow: the folder")
    folder.add_argument("--kb", help="the knowledge base's name in the app (default: My documents)")
    folder.add_argument(
        "--remove-documents", action="store_true", help="unfollow: also remove the documents the syncs added"
    )
    folder.set_defaults(func=cmd_folder)

    kb = sub.add_parser("kb", help="copy a knowledge base between SQLite and PostgreSQL (DATABASE_URL)")
    kb.add_argument("action", choices=["copy"])
    kb.add_argument("--to", choices=["postgres", "sqlite"], required=True, help="where to copy it")
    which = kb.add_mutually_exclusive_group()
    which.add_argument("--kb", help=KB_HELP)
    which.add_argument("--all", action="store_true", help="every knowledge base in the app's list")
    kb.set_defaults(func=cmd_kb)
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
