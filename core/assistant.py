"""LocalAIAssistant: the one façade the UI and the CLI call.

It validates input, stores messages, retrieves passages, picks a backend (falling back to the
embedded model when Ollama cannot answer), streams the answer as events and stores the result.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from config.settings import Settings
from core import prompts
from core.answer_checks import check_answer, repeats_a_line, runaway_markers
from core.answer_opening import answer_opening
from core.context import compress_sources
from core.events import (
    Audio,
    Check,
    Done,
    Error,
    Event,
    IngestProgress,
    IngestResult,
    Notice,
    Source,
    Sources,
    Stats,
    Token,
)
from core.follow_up import interleaved, refers_back, search_texts
from core.head_start import HeadStart, Prepared
from core.history import recent_history, without_citations
from core.ingest import DocumentStore, Upload, ingest
from core.options import AskOptions
from core.prompt_builder import build_messages, system_message
from core.voice import Heard, SpokenReply, listen, speech_timings
from core.warmup import Warmup
from errors import AssistantError, LLMStreamError, LLMUnavailable, ModelNotFound, UserInputError
from models import llm_registry
from models.llm_base import LLM, GenerationStats, Health, Message, ModelPuller
from models.tts_model import TTS, Voice, all_voices, create_tts
from models.whisper_model import STT, create_stt
from services.audio_store import AudioStore
from services.collections import DEFAULT, Collection, CollectionStore
from services.conversations import SHARED, Conversation, ConversationStore, StoredMessage
from services.query_analysis import asks_for_information, expand_abbreviations
from utils.audio_utils import join_wavs
from utils.helpers import speech_text


class Retriever(DocumentStore, Protocol):
    """What the orchestrator needs from a knowledge base (ingesting included)."""

    def is_empty(self) -> bool: ...

    def search(self, query: str, k: int) -> list[Any]: ...

    def embed(self, texts: list[str]) -> Any: ...

    def documents(self) -> list[Any]: ...

    def delete_document(self, doc_id: str) -> None: ...

    def reindex(self) -> int: ...


@dataclass
class _Attempt:
    llm: LLM
    model: str | None


@dataclass
class _Turn:
    """One question being answered: what every backend attempt needs."""

    conversation_id: str
    question: str
    history: list[Message]
    sources: list[Source]  # [] when nothing relevant was found: answered as plain chat
    searched: bool  # it asked something of the documents (sources [] then means none matched)
    options: AskOptions
    started: float
    breakdown: dict[str, float]


_BACKEND_NAMES = {
    "embedded": "the built-in model",
    "ollama": "Ollama",
    "openai": "the OpenAI-compatible server",
}


class LocalAIAssistant:
    """Orchestrates conversations, retrieval and the LLM backends."""

    def __init__(
        self,
        settings: Settings,
        store: ConversationStore | None = None,
        llms: dict[str, LLM] | None = None,
        knowledge_base: Retriever | None = None,
    ):
        self.settings = settings
        self.store = store or ConversationStore(settings.db_path)
        self._llms: dict[str, LLM] = dict(llms or {})
        self._knowledge_bases: dict[str, Retriever] = {DEFAULT: knowledge_base} if knowledge_base else {}
        self._knowledge_bases_lock = threading.Lock()  # the warm-up and the first page open one at once
        self._collections: CollectionStore | None = None
        self.warmup: Warmup | None = None  # set when the app starts loading models in the background
        self._stts: dict[tuple[str, str, str], STT] = {}
        self._stt_lock = threading.Lock()  # the warm-up thread and a page may ask at once
        self._voice_warmups: dict[tuple[str, ...], Warmup] = {}
        self._prepared: Prepared[list[Source]] = Prepared()  # passages found by ``prepare``
        # Backends that could not start on their last try: that the answer comes from the next one
        # is said once, not under every answer (the sidebar says it too), and again if it recovers
        # and then fails again.
        self._down: set[str] = set()
        self.audio = AudioStore(Path(settings.data_dir) / "audio", settings.max_audio_storage_mb * 2**20)

    # --- backends -------------------------------------------------------------------
    def llm(self, name: str) -> LLM:
        """The backend called ``name``, created on first use."""
        if name not in self._llms:
            self._llms[name] = llm_registry.create(name, self.settings)
        return self._llms[name]

    def ollama_health(self) -> Health:
        return self.llm("ollama").health()

    def ollama_models(self) -> list[str]:
        """Installed Ollama models, or [] when Ollama is not reachable."""
        try:
            return self.llm("ollama").models()
        except LLMUnavailable:
            return []

    def builtin_models(self) -> list[tuple[str, str, bool]]:
        """The built-in models as (key, what it costs, installed on this computer)."""
        from models.packaged_gguf import PACKAGED, is_available

        cache = self.settings.model_cache_dir
        return [(key, m.summary, is_available(cache, key)) for key, m in PACKAGED.items()]

    def openai_status(self, options: AskOptions) -> tuple[Health, list[str]]:
        """Whether the OpenAI-compatible server in ``options`` answers, and its models."""
        llm = self.openai_llm(options)
        health = llm.health()
        if not health.ok:
            return health, []
        try:
            return health, llm.models()
        except LLMUnavailable as e:
            return Health(False, str(e)), []

    def pull_model(self, name: str) -> Iterator[Any]:
        """Pull an Ollama model, yielding progress updates (status, completed, total)."""
        name = name.strip()
        if not name:
            raise UserInputError("Type the name of a model to pull, for example llama3.2.")
        ollama = self.llm("ollama")
        if not isinstance(ollama, ModelPuller):
            raise UserInputError("This backend cannot download models.")
        return ollama.pull(name)

    def warm_up_in_background(self) -> Warmup:
        """Start loading, in a background thread, what the first question will need: the
        embedder, the default knowledge base's indexes (one search), and, when answers would come
        from it, the built-in model with the start of the first prompt read (system prompt, with
        the grounding rule when there are documents), as after every answer (``_read_ahead``)."""
        from services.embeddings import shared_embedder

        steps: list[tuple[str, Callable[[], object]]] = [
            ("the embedding model", lambda: shared_embedder().embed(["warm up"])),
            ("your documents", lambda: self._search_once(AskOptions())),
        ]
        if self._answers_from_builtin():
            steps.append(("the built-in model", lambda: self._read_prompt_start(AskOptions())))
        return Warmup(steps).start()

    def _search_once(self, options: AskOptions) -> None:
        """Search the knowledge base ``options`` asks once, if it has documents (its indexes load)."""
        kb = self._documents_asked(options)
        if kb is not None:
            self._retrieve("warm up", kb)

    def _read_prompt_start(self, options: AskOptions) -> None:
        """Load the built-in model and read the system prompt a first question starts with."""
        llm, model = self.llm("embedded"), self._builtin_model(options)
        llm.warm_up(model)
        if self.settings.read_ahead:
            grounded = self._documents_asked(options) is not None
            llm.read_ahead([system_message(options, grounded)], model)

    def warm_up_voice(self, options: AskOptions, stt_choice: tuple[str, str, str] = ("", "", "")) -> Warmup:
        """Start loading, in the background, the speech recogniser (engine, size, language) and
        the voice a spoken conversation will use, once per choice: the user has just turned
        speech on, and the first spoken turn should not wait for them."""
        key = (*stt_choice, options.tts_voice)
        if key not in self._voice_warmups:
            self._voice_warmups[key] = Warmup(
                [
                    ("the speech recogniser", lambda: self.stt(*stt_choice).load()),
                    ("the voice", lambda: self.tts(options).synthesize("Ready.")),
                ]
            ).start()
        return self._voice_warmups[key]

    def _builtin_model(self, options: AskOptions) -> str:
        """The GGUF path or built-in model key the embedded engine answers ``options`` with."""
        builtin = options.builtin_model or self.settings.builtin_model
        return options.gguf_path or self.settings.gguf_path or builtin

    def _answers_from_builtin(self) -> bool:
        """Whether answers would come from the built-in model as the app is set up now."""
        backend = self.settings.llm_backend
        if backend != "auto":
            return backend == "embedded"
        return not self.settings.openai_base_url and not self.ollama_health().ok

    # --- knowledge base -------------------------------------------------------------
    @property
    def knowledge_base(self) -> Retriever:
        """The first knowledge base ("My documents", DATA_DIR/kb), opened on first use."""
        return self.knowledge_base_for(DEFAULT)

    @property
    def collections(self) -> CollectionStore:
        """The knowledge bases' names and folders (created on first use)."""
        if self._collections is None:
            self._collections = CollectionStore(Path(self.settings.data_dir), self.settings.kb_dir)
        return self._collections

    def knowledge_base_for(self, collection: str) -> Retriever:
        """The knowledge base ``collection``, opened on first use (the embedder loads later still)."""
        with self._knowledge_bases_lock:
            if collection not in self._knowledge_bases:
                if collection != DEFAULT and self.collections.get(collection) is None:
                    raise UserInputError("That knowledge base no longer exists; choose another one.")
                from services.knowledge_base import open_knowledge_base

                directory = self.collections.directory(collection)
                self._knowledge_bases[collection] = open_knowledge_base(self.settings, directory)
            return self._knowledge_bases[collection]

    def knowledge_bases(self) -> list[Collection]:
        return self.collections.list()

    def create_knowledge_base(self, name: str) -> Collection:
        return self.collections.create(name)

    def rename_knowledge_base(self, collection: str, name: str) -> None:
        self.collections.rename(collection, name)

    def delete_knowledge_base(self, collection: str) -> None:
        """Delete it with all its documents; chats that used it now use none."""
        self.collections.delete(collection)
        self._knowledge_bases.pop(collection, None)
        self.store.forget_collection(collection)

    def documents(self, collection: str = DEFAULT) -> list[Any]:
        return self.knowledge_base_for(collection).documents()

    @staticmethod
    def document_types() -> list[str]:
        """File extensions the knowledge base reads (pdf, docx, html, md, txt ...)."""
        from services.document_reader import SUPPORTED

        return [suffix.lstrip(".") for suffix in SUPPORTED]

    def validate_upload(self, count: int) -> None:
        """UserInputError when one upload holds more files than the app adds at once."""
        limit = self.settings.max_files_per_upload
        if count > limit:
            raise UserInputError(
                f"You chose {count} files; at most {limit} are added at once. "
                "Add them in smaller groups (nothing was added)."
            )

    def ingest(
        self, uploads: list[Upload], collection: str = DEFAULT
    ) -> Iterator[IngestProgress | IngestResult]:
        """Add documents, yielding progress per page and chunk batch, then one result per file."""
        return ingest(self.knowledge_base_for(collection), uploads, self.settings)

    def delete_document(self, doc_id: str, collection: str = DEFAULT) -> None:
        self.knowledge_base_for(collection).delete_document(doc_id)

    def reindex(self, collection: str = DEFAULT) -> int:
        return self.knowledge_base_for(collection).reindex()

    def passages_for(self, question: str, collection: str = DEFAULT) -> list[Source]:
        """The passages a grounded answer to ``question`` would be given, each with its excerpt."""
        kb = self.knowledge_base_for(collection)
        return [] if kb.is_empty() else self._retrieve(question, kb)

    def search(self, query: str, k: int | None = None, collection: str = DEFAULT) -> list[Any]:
        return self.knowledge_base_for(collection).search(query, k or self.settings.top_k)

    # --- voice ------------------------------------------------------------------------
    def stt(self, engine: str = "", size: str = "", language: str = "") -> STT:
        """The speech-to-text engine (loaded once per engine, size and language)."""
        key = (
            engine or self.settings.stt_engine,
            size or self.settings.whisper_size,
            language or self.settings.whisper_language,
        )
        with self._stt_lock:
            if key not in self._stts:
                engine, size, language = key
                self._stts[key] = create_stt(
                    engine, size, self.settings.model_cache_dir, self.settings.threads, language
                )
            return self._stts[key]

    def transcribe(self, data: bytes, engine: str = "", size: str = "", language: str = "") -> Heard:
        """Text of a recording; AudioError / ModelMissing carry a message for the user."""
        return listen(data, self.stt(engine, size, language), self.settings.max_audio_s)

    def head_start(
        self,
        nonce: str,
        data: bytes,
        conversation_id: str,
        options: AskOptions,
        stt_choice: tuple[str, str, str] = ("", "", ""),
    ) -> HeadStart:
        """Transcribe the words so far of a hands-free question and prepare its answer, in the
        background, while the listener waits out the end-of-speech pause (core.head_start)."""
        return HeadStart(
            nonce,
            lambda: self.transcribe(data, *stt_choice),
            lambda question: self.prepare(conversation_id, question, options),
        ).start()

    def prepare(self, conversation_id: str, text: str, options: AskOptions) -> bool:
        """Do now what ``ask`` would do first for this question: find its passages (kept for a
        few seconds) and read its whole prompt into the built-in model's cache. True if the prompt
        was read; False when there is nothing to read ahead (a server, the model busy or not
        loaded, a message ``ask`` would refuse)."""
        try:
            question = self.validate_message(text)
            if question is None:
                return False
            history = self._history(conversation_id) if conversation_id else []
            kb = self._documents_asked(options)
            sources = self._sources(question, history, kb, options, keep=True) if kb is not None else []
            if options.documents_only and not sources:
                return False
            attempt = self._answering_attempt(options)
            messages, _ = self._messages(attempt.llm, history, question, sources, options)
            return attempt.llm.read_ahead(messages, attempt.model)
        except AssistantError:
            return False  # the answer itself will say what is wrong

    def tts(self, options: AskOptions | None = None) -> TTS:
        """The synthesiser for the chosen voice (the natural Piper voice by default, where installed)."""
        o = options or AskOptions()
        return create_tts(o.tts_voice or self.settings.tts_voice, o.tts_rate, o.tts_volume)

    @staticmethod
    def tts_voices() -> list[Voice]:
        """Every installed voice, natural ones first."""
        return all_voices()

    def speak(self, text: str, options: AskOptions | None = None) -> bytes:
        """WAV of ``text`` as it would be read aloud (no code, URLs or citation markers)."""
        return self.tts(options).synthesize(speech_text(text))

    # --- conversations --------------------------------------------------------------
    def new_conversation(self, owner: str = SHARED, collection: str = DEFAULT) -> Conversation:
        """A new chat for ``owner`` (a browser's id; SHARED from the command line), answering from
        the knowledge base ``collection`` ("" = none)."""
        limit = self.settings.max_chats
        if owner != SHARED and self.store.count(owner) >= limit:
            raise UserInputError(
                f"You have {limit:,} chats, the most kept per person. "
                "Delete some old ones (sidebar, This chat) to start a new one."
            )
        return self.store.create(owner=owner, collection=collection)

    def set_conversation_knowledge_base(self, conversation_id: str, collection: str) -> None:
        self.store.set_collection(conversation_id, collection)

    def conversation(self, conversation_id: str, owner: str | None = None) -> Conversation | None:
        """The chat, if it exists (and, given ``owner``, if that browser may see it)."""
        conv = self.store.get(conversation_id)
        if conv is None or (owner is not None and not conv.visible_to(owner)):
            return None
        return conv

    def conversations(self, owner: str | None = None) -> list[Conversation]:
        """Every chat, or those ``owner`` may see (their own and the shared ones)."""
        return self.store.list(owner)

    def messages(self, conversation_id: str) -> list[StoredMessage]:
        return self.store.messages(conversation_id)

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        self.store.rename(conversation_id, title)

    def delete_conversation(self, conversation_id: str) -> None:
        """Delete the chat, its messages and its stored spoken replies."""
        recordings = [m.meta.get("audio", "") for m in self.store.messages(conversation_id)]
        self.store.delete(conversation_id)
        self.audio.delete(recordings)

    def export_markdown(self, conversation_id: str) -> str:
        return self.store.export_markdown(conversation_id)

    # --- answering ------------------------------------------------------------------
    def validate_message(self, text: str | None) -> str | None:
        """The message to send, None for an empty one (ignored), or UserInputError if too long."""
        text = (text or "").strip()
        if not text:
            return None
        limit = self.settings.max_message_chars
        if len(text) > limit:
            raise UserInputError(
                f"Your message is {len(text):,} characters long; the limit is {limit:,}. "
                "Shorten it, or upload long text as a PDF to the knowledge base."
            )
        return text

    def ask(
        self,
        conversation_id: str,
        text: str,
        options: AskOptions | None = None,
        heard: Heard | None = None,
    ) -> Iterator[Event]:
        """Answer ``text`` in a conversation, yielding events; the answer is stored as it ends.

        ``heard`` carries the timings of a spoken question, for the per-answer breakdown.
        """
        options = options or AskOptions()
        try:
            question = self.validate_message(text)
        except UserInputError as e:
            yield Error(str(e))
            return
        if question is None:
            return
        started = time.perf_counter()
        history = self._history(conversation_id)
        self.store.add_message(conversation_id, "user", question)
        if not history:
            self.store.rename(conversation_id, _title_from(question))

        kb = self._documents_asked(options)
        sources = self._sources(question, history, kb, options) if kb is not None else []
        breakdown = {**(heard.timings if heard else {}), "retrieval_s": time.perf_counter() - started}
        searched = kb is not None and asks_for_information(question)  # not for "Hello" or "Thanks"
        if sources:
            yield Sources(sources)
        elif searched and not options.documents_only:
            yield Notice(prompts.NO_PASSAGE)
        if options.documents_only and not sources:
            answer = prompts.NOT_IN_DOCUMENTS if kb is not None else prompts.NO_DOCUMENTS
            message_id = self.store.add_message(conversation_id, "assistant", answer)
            yield Token(answer)
            yield Done(message_id, answer)
            return

        turn = _Turn(conversation_id, question, history, sources, searched, options, started, breakdown)
        attempts = self._attempts(options)
        for index, attempt in enumerate(attempts):
            fallback = attempts[index + 1].llm.name if index + 1 < len(attempts) else None
            outcome = yield from self._stream_attempt(turn, attempt, fallback)
            if outcome != "fall back":
                return

    def _stream_attempt(self, turn: _Turn, attempt: _Attempt, fallback: str | None) -> Iterator[Event]:
        """One backend's answer; "fall back" when it could not start and ``fallback`` (the next
        backend's name) may try instead."""
        conversation_id, question, sources, options = (
            turn.conversation_id,
            turn.question,
            turn.sources,
            turn.options,
        )
        started, breakdown = turn.started, turn.breakdown
        llm = attempt.llm
        messages, opening = self._messages(llm, turn.history, question, sources, options)
        gen_stats = GenerationStats(model=attempt.model or "")
        pieces: list[str] = []
        first_token_s: float | None = None
        meta: dict[str, Any] = {"backend": llm.name, "sources": [s.as_dict() for s in sources]}
        if turn.searched and not sources:
            meta["no_passage"] = True  # shown with the answer: the model's own, not the documents'
        spoken = SpokenReply(self.tts(options), started) if options.speak else None
        clips: list[bytes] = []
        temperature = self.settings.grounded_temperature if sources else self.settings.temperature
        try:
            stream = llm.stream(
                messages,
                model=attempt.model,
                max_tokens=self.settings.max_answer_tokens,
                temperature=temperature,
                stats=gen_stats,
                repeat_penalty=None if sources else self.settings.chat_repeat_penalty,
            )
            with closing(stream):
                for piece in stream:
                    if first_token_s is None:
                        first_token_s = time.perf_counter() - started
                        self._down.discard(llm.name)
                        if opening:  # shown once the model is under way
                            pieces.append(opening)
                            yield Token(opening)
                    pieces.append(piece)
                    yield Token(piece)
                    written = "".join(pieces)
                    if sources and (runaway_markers(written[len(opening) :]) or repeats_a_line(written)):
                        break  # "[1] [2] [3] ..." or the same lines again until the token limit: stop
                    if spoken:
                        for clip in spoken.feed(piece):
                            clips.append(clip.wav)
                            yield Audio(clip.index, clip.text, clip.wav)
        except (LLMUnavailable, ModelNotFound) as e:
            if spoken:
                spoken.cancel()
            if not pieces and fallback:
                if llm.name not in self._down:
                    yield Notice(f"{e} Answering with {_BACKEND_NAMES.get(fallback, fallback)} instead.")
                self._down.add(llm.name)
                return "fall back"
            yield from self._cut_off(conversation_id, pieces, meta, str(e))
            return "failed"
        except LLMStreamError as e:
            if spoken:
                spoken.cancel()
            yield from self._cut_off(conversation_id, pieces, meta, str(e))
            return "failed"
        except GeneratorExit:
            if spoken:
                spoken.cancel()
            # The reader stopped the answer (Stop button, closed page): keep what was said, and how
            # long it took to start (a hands-free reply is often interrupted by the next question).
            if pieces:
                if spoken:
                    breakdown.update(speech_timings(spoken, first_token_s, breakdown))
                meta.update(cut_off=True, cut_off_reason="stopped", breakdown=breakdown)
                self.store.add_message(conversation_id, "assistant", "".join(pieces), meta)
            raise

        answer = "".join(pieces)
        if sources:
            check = check_answer(answer, sources, question)
            answer = check.answer
            meta["check"] = check.as_dict()
            yield Check(check.answer, check.unsupported_figures, check.citations_added, check.degenerate)
        if spoken:
            for clip in spoken.finish():
                clips.append(clip.wav)
                yield Audio(clip.index, clip.text, clip.wav)
            if spoken.error:
                yield Notice(str(spoken.error))
            breakdown.update(speech_timings(spoken, first_token_s, breakdown))
            if clips:
                meta["audio"], removed = self.audio.save(join_wavs(clips))
                if removed:
                    yield Notice(
                        f"Removed the {removed} oldest spoken repl{'y' if removed == 1 else 'ies'} to keep "
                        f"stored speech under {self.settings.max_audio_storage_mb} MB."
                    )
        stats = Stats(
            backend=llm.name,
            model=gen_stats.model or attempt.model or "",
            first_token_s=first_token_s,
            total_s=time.perf_counter() - started,
            completion_tokens=gen_stats.completion_tokens or len(pieces),
            prompt_tokens=gen_stats.prompt_tokens,
            breakdown=breakdown,
        )
        meta["stats"] = {**stats.__dict__, "tokens_per_s": stats.tokens_per_s}
        meta["model"] = stats.model
        message_id = self.store.add_message(conversation_id, "assistant", answer, meta)
        self._read_ahead(turn, attempt)
        yield stats
        yield Done(message_id, answer)
        return "done"

    def mark_interrupted(self, conversation_id: str) -> bool:
        """The listener talked over the last spoken reply after it was fully written (a barge-in
        while it was being written stops the answer itself): mark it "stopped by you", text kept.
        False when the last message is no spoken reply, or is already marked."""
        messages = self.store.messages(conversation_id)
        last = messages[-1] if messages else None
        if last is None or last.role != "assistant" or not last.meta.get("audio") or last.meta.get("cut_off"):
            return False
        meta = {**last.meta, "cut_off": True, "cut_off_reason": "stopped"}
        self.store.update_message(last.id, last.content, meta)
        return True

    def _messages(
        self, llm: LLM, history: list[Message], question: str, sources: list[Source], options: AskOptions
    ) -> tuple[list[Message], str]:
        """The prompt for one backend, and the opening it ends with (see ``_opening``)."""
        grounded = bool(sources)
        opening = self._opening(llm, sources, options)
        prompt_history = self._prompt_history(llm, history, grounded, question)
        messages = self.build_messages(llm, prompt_history, question, sources, options, grounded, opening)
        return messages, opening

    def _opening(self, llm: LLM, sources: list[Source], options: AskOptions) -> str:
        """The quoted line an answer about a figure starts with (core.answer_opening), or "": not
        for a model that cannot continue an answer, and not for a spoken reply, whose listener
        needs a sentence (a table row is not read aloud, and the model may add nothing after it)."""
        if not (self.settings.quote_answer_line and llm.continues_answers) or options.speak:
            return ""
        return answer_opening(sources)

    def _read_ahead(self, turn: _Turn, attempt: _Attempt) -> None:
        """In the background, read the start of the next question's prompt (system prompt and the
        chat so far, grounded like this answer) into the model's cache: a follow-up then only has
        its passages and question left to read. A no-op for servers (llm.read_ahead)."""
        if not self.settings.read_ahead:
            return
        grounded = bool(turn.sources)
        history = self._prompt_history(attempt.llm, self._history(turn.conversation_id), grounded)
        messages = [system_message(turn.options, grounded), *history]
        threading.Thread(
            target=attempt.llm.read_ahead, args=(messages, attempt.model), name="read-ahead", daemon=True
        ).start()

    def _prompt_history(
        self, llm: LLM, history: list[Message], grounded: bool, question: str | None = None
    ) -> list[Message]:
        """The chat put before a question: for an answer from passages only the newest turns within
        ``grounded_history_tokens`` (the passages hold the facts; a long chat before them costs
        seconds of reading), and none for a question that does not refer back to it
        (core.follow_up): a small model mixed an earlier answer's subject into the new one. None
        for ``question``: the next one, not asked yet (reading ahead keeps the chat for a follow-up)."""
        if not grounded:
            return history
        if question is not None and not refers_back(question):
            return []
        return recent_history(history, self.settings.grounded_history_tokens, llm.count_tokens)

    def audio_path(self, name: str) -> Path | None:
        """The stored spoken reply called ``name``, if it is still there."""
        return self.audio.path(name)

    def _cut_off(
        self, conversation_id: str, pieces: list[str], meta: dict[str, Any], reason: str
    ) -> Iterator[Event]:
        message_id = None
        if pieces:
            meta.update(cut_off=True, cut_off_reason=reason)
            message_id = self.store.add_message(conversation_id, "assistant", "".join(pieces), meta)
        yield Error(reason, partial=bool(pieces))
        yield Done(message_id, "".join(pieces), cut_off=True)

    def openai_llm(self, options: AskOptions | None = None) -> LLM:
        """The OpenAI-compatible backend for the URL and key in ``options`` (else settings)."""
        o = options or AskOptions()
        url = (o.openai_base_url or self.settings.openai_base_url).strip()
        key = o.openai_api_key or self.settings.openai_api_key
        name = f"openai|{url}|{hash(key)}"
        if name not in self._llms:
            changed = replace(self.settings, openai_base_url=url, openai_api_key=key)
            self._llms[name] = llm_registry.create("openai", changed)
        return self._llms[name]

    def _attempts(self, options: AskOptions) -> list[_Attempt]:
        backend = options.backend if options.backend != "auto" else self.settings.llm_backend
        embedded = _Attempt(self.llm("embedded"), self._builtin_model(options))
        ollama = _Attempt(self.llm("ollama"), options.ollama_model or self.settings.ollama_model)
        remote_model = options.openai_model or self.settings.openai_model or None
        remote = _Attempt(self.openai_llm(options), remote_model)
        if backend == "embedded":
            return [embedded]
        if backend == "ollama":
            return [ollama]
        if backend == "openai":
            return [remote]
        configured = bool((options.openai_base_url or self.settings.openai_base_url).strip())
        return [remote, ollama, embedded] if configured else [ollama, embedded]

    def _answering_attempt(self, options: AskOptions) -> _Attempt:
        """The backend an answer would come from now: the first that is reachable, as ``ask``
        falls back (with "auto" and no Ollama running, the built-in model), else the last."""
        attempts = self._attempts(options)
        return next((a for a in attempts[:-1] if a.llm.health().ok), attempts[-1])

    def _history(self, conversation_id: str) -> list[Message]:
        """The chat so far, as the model is shown it (core.history.without_citations)."""
        return without_citations(
            [
                {"role": m.role, "content": m.content}
                for m in self.store.messages(conversation_id)
                if m.role in ("user", "assistant") and m.content
            ]
        )

    def _knowledge_base_asked(self, options: AskOptions) -> Retriever | None:
        """The knowledge base a question is answered from, or None (documents off, none chosen,
        or the chosen one was deleted)."""
        if not options.use_documents or not options.collection:
            return None
        try:
            return self.knowledge_base_for(options.collection)
        except UserInputError:
            return None

    def _documents_asked(self, options: AskOptions) -> Retriever | None:
        """The knowledge base a question is answered from when it holds documents, else None."""
        kb = self._knowledge_base_asked(options)
        return None if kb is None or kb.is_empty() else kb

    def _sources(
        self, question: str, history: list[Message], kb: Retriever, options: AskOptions, keep: bool = False
    ) -> list[Source]:
        """The passages for ``question`` (searched for with the questions before it when it refers
        back to them: core.follow_up), or those ``prepare`` found (or is finding) for it moments
        ago, taken once; ``keep``: hold these for the ``ask`` that follows."""
        texts = search_texts(question, history)
        key = (options.collection, *texts)

        def found() -> list[Source]:
            return self._retrieve(question, kb, texts)

        if keep:
            return self._prepared.find(key, found)
        return self._prepared.take(key, found)

    def _retrieve(self, question: str, kb: Retriever, search_for: Sequence[str] = ()) -> list[Source]:
        """The best passages for ``question``, trimmed to the lines that answer it for the prompt.
        ``search_for``: the texts to search with instead (a follow-up with the questions before it,
        and alone); their results are taken in turn, the best of each first."""
        top_k = self.settings.top_k
        hits = interleaved([kb.search(text, top_k) for text in search_for or [question]])
        sources = [
            Source(
                i,
                h.file,
                h.page_start,
                h.page_end,
                h.score,
                h.text,
                label=h.label,
                context=h.context,
                ocr=h.ocr,
                unit=h.unit,
            )
            for i, h in enumerate(hits, start=1)
        ]
        # A question spanning documents gets one passage per document: a little more room for each.
        budget = self.settings.context_budget_tokens
        if budget:
            budget += self.settings.budget_per_extra_source * max(0, len(sources) - top_k)
        # Lines are chosen for the question itself ("And its net income?" after a question on
        # revenue wants the net income line, not the revenue line its search text also names).
        wanted = expand_abbreviations(question)  # "capex" also finds "purchases of property ..."
        count_tokens = self.llm("embedded").count_tokens
        return compress_sources(
            wanted, sources, budget, count_tokens, kb.embed, self.settings.answer_line_hints
        )

    def build_messages(
        self,
        llm: LLM,
        history: list[Message],
        question: str,
        sources: list[Source],
        options: AskOptions,
        grounded: bool | None = None,
        opening: str = "",
    ) -> list[Message]:
        """The messages sent to the model (see core.prompt_builder); ``grounded``: passages found;
        ``opening``: the start of the answer, for the model to continue."""
        if grounded is None:
            grounded = bool(sources)
        return build_messages(
            llm, history, question, sources, options, self.settings.max_answer_tokens, grounded, opening
        )


def _title_from(question: str) -> str:
    words = " ".join(question.split())
    return words if len(words) <= 60 else words[:57].rstrip() + "..."
