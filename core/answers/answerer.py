"""Answering: a message in, events out. The question is checked and stored, its passages found,
and the backends tried in turn (core.answers.attempt) until one answers."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from config.settings import Settings
from core.answers import prompts
from core.answers.attempt import Answering, BackendAnswer, Turn
from core.answers.computed import compute, with_operands
from core.answers.history import chat_history
from core.answers.passages import Passages
from core.answers.prompt_builder import system_message
from core.answers.prompting import Prompter
from core.chats import Chats
from core.engines import Engines
from core.events import Computed, Done, Error, Event, Notice, Source, Sources, Token
from core.library import Library
from core.options import AskOptions
from core.voice.head_start import HeadStart
from core.voice.speech import Speech, SttChoice
from core.voice.spoken import Heard
from core.warmup import Warmup
from errors import AssistantError, UserInputError
from retrieval.query_analysis import asks_for_information
from storage.collections import DEFAULT


class Answers:
    """Ask, prepare ahead (head starts, read-ahead) and warm up for the first question."""

    def __init__(self, settings: Settings, chats: Chats, library: Library, engines: Engines, speech: Speech):
        self.settings = settings
        self._chats = chats
        self._library = library
        self._engines = engines
        self._speech = speech
        self.prompter = Prompter(settings)
        self.passages = Passages(settings, engines.count_tokens)
        self._answering = Answering(settings, chats, engines, speech, self.prompter)
        self.warmup: Warmup | None = None  # set when the app starts loading models in the background

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
        history = chat_history(self._chats.messages(conversation_id))
        self._chats.add_question(conversation_id, question, first=not history)

        kb, unreachable = self._library.documents_for(options)
        sources = self.passages.for_question(question, history, kb, options) if kb is not None else []
        computation = None
        if kb is not None and sources:
            wider = 2 * self.settings.top_k  # an operand's search keeps only its filing's passages
            computation, extra = compute(
                question,
                sources,
                lambda text: self.passages.retrieve(text, kb, k=wider),
                self.passages.on_pages(kb),
            )
            sources = with_operands(sources + extra, computation)  # and passages searched for one
        breakdown = {**(heard.timings if heard else {}), "retrieval_s": time.perf_counter() - started}
        # A question put to a knowledge base (an empty one too) that got no passage is answered
        # with the model's own knowledge, and says so; not "Hello" or "Thanks".
        chosen = kb is not None or bool(unreachable) or self._library.asked(options) is not None
        searched = chosen and asks_for_information(question)
        note = prompts.NO_PASSAGE if kb is not None else prompts.EMPTY_KNOWLEDGE_BASE
        if unreachable:  # said for every message, "Hello" too: the reader should know at once
            note = prompts.unreachable_documents(unreachable)
        if sources:
            yield Sources(sources)
            if computation is not None:
                yield Computed([computation.as_dict()])
        elif (searched or unreachable) and not options.documents_only:
            yield Notice(note)
        if options.documents_only and not sources:
            answer = prompts.NOT_IN_DOCUMENTS if kb is not None else prompts.NO_DOCUMENTS
            answer = note if unreachable else answer
            message_id = self._chats.add_answer(conversation_id, answer)
            yield Token(answer)
            yield Done(message_id, answer)
            return

        turn = Turn(
            conversation_id,
            question,
            history,
            sources,
            searched,
            options,
            started,
            breakdown,
            no_passage_note=note,
            computation=computation,
        )
        attempts = self._engines.attempts(options)
        for index, attempt in enumerate(attempts):
            fallback = attempts[index + 1].llm.name if index + 1 < len(attempts) else None
            outcome = yield from BackendAnswer(self._answering, turn, attempt, fallback).run()
            if outcome != "fall back":
                return

    def passages_for(self, question: str, collection: str = DEFAULT) -> list[Source]:
        """The passages a grounded answer to ``question`` would be given, each with its excerpt."""
        kb = self._library.knowledge_base_for(collection)
        return [] if kb.is_empty() else self.passages.retrieve(question, kb)

    # --- ahead of the question ----------------------------------------------------------
    def prepare(self, conversation_id: str, text: str, options: AskOptions) -> bool:
        """Do now what ``ask`` would do first for this question: find its passages (kept for a
        few seconds) and read its whole prompt into the built-in model's cache. True if the prompt
        was read; False when there is nothing to read ahead (a server, the model busy or not
        loaded, a message ``ask`` would refuse)."""
        try:
            question = self.validate_message(text)
            if question is None:
                return False
            history = chat_history(self._chats.messages(conversation_id)) if conversation_id else []
            kb = self._library.with_documents(options)
            sources = []
            if kb is not None:
                sources = self.passages.for_question(question, history, kb, options, keep=True)
            if options.documents_only and not sources:
                return False
            attempt = self._engines.answering_attempt(options)
            messages, _ = self.prompter.messages(attempt.llm, history, question, sources, options)
            return attempt.llm.read_ahead(messages, attempt.model)
        except AssistantError:
            return False  # the answer itself will say what is wrong

    def head_start(
        self,
        nonce: str,
        data: bytes,
        conversation_id: str,
        options: AskOptions,
        stt_choice: SttChoice = ("", "", ""),
    ) -> HeadStart:
        """Transcribe the words so far of a hands-free question and prepare its answer, in the
        background, while the listener waits out the end-of-speech pause (core.voice.head_start)."""
        return HeadStart(
            nonce,
            lambda: self._speech.transcribe(data, *stt_choice),
            lambda question: self.prepare(conversation_id, question, options),
        ).start()

    def warm_up_in_background(self) -> Warmup:
        """Start loading, in a background thread, what the first question will need: the
        embedder, the default knowledge base's indexes (one search), and, when answers would come
        from it, the built-in model with the start of the first prompt read (system prompt, with
        the grounding rule when there are documents), as after every answer (read-ahead)."""
        from retrieval.embeddings.embedder import shared_embedder

        steps: list[tuple[str, Callable[[], object]]] = [
            ("the embedding model", lambda: shared_embedder().embed(["warm up"])),
            ("your documents", lambda: self._search_once(AskOptions())),
        ]
        if self._engines.answers_from_builtin():
            steps.append(("the built-in model", lambda: self._read_prompt_start(AskOptions())))
        self.warmup = Warmup(steps).start()
        return self.warmup

    def _search_once(self, options: AskOptions) -> None:
        """Search the knowledge base ``options`` asks once, if it has documents (its indexes load)."""
        kb = self._library.with_documents(options)
        if kb is not None:
            self.passages.retrieve("warm up", kb)

    def _read_prompt_start(self, options: AskOptions) -> None:
        """Load the built-in model and read the system prompt a first question starts with."""
        llm, model = self._engines.llm("embedded"), self._engines.builtin_model(options)
        llm.warm_up(model)
        if self.settings.read_ahead:
            grounded = self._library.with_documents(options) is not None
            llm.read_ahead([system_message(options, grounded)], model)
