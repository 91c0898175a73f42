"""What one backend is sent for a question: the chat put before it, the passages, the quoted
opening; and reading the next prompt's start ahead while the reader reads the answer."""

from __future__ import annotations

import threading

from config.settings import Settings
from core.answers.computed import Computation
from core.answers.follow_up import refers_back
from core.answers.history import recent_history
from core.answers.opening import answer_opening
from core.answers.prompt_builder import build_messages, system_message
from core.events import Source
from core.options import AskOptions
from models.llm_base import LLM, Message


class Prompter:
    """Builds the prompt for a backend; the settings say how much chat and which opening."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def messages(
        self,
        llm: LLM,
        history: list[Message],
        question: str,
        sources: list[Source],
        options: AskOptions,
        computation: Computation | None = None,
    ) -> tuple[list[Message], str]:
        """The prompt for one backend, and the opening it ends with (see ``opening``): for a figure
        computed in code, the sentence giving it, or saying why it could not be computed (left to
        itself, the small model wrote a ratio of its own in 3 of 5 such answers on rag-bench-more;
        it may still add a figure the passages state)."""
        grounded = bool(sources)
        opening = self.opening(llm, sources, options, question)
        if computation is not None and not llm.continues_answers:
            opening = ""  # not the likely line's figure either: it is not what was asked for
        elif computation is not None:  # spoken too: the result, not the sums
            opening = computation.sentence() + " "
        prompt_history = self.prompt_history(llm, history, grounded, question)
        messages = self.build_messages(llm, prompt_history, question, sources, options, grounded, opening)
        return messages, opening

    def opening(self, llm: LLM, sources: list[Source], options: AskOptions, question: str = "") -> str:
        """The sentence an answer about a figure starts with (core.answers.opening), or "": not
        for a model that cannot continue an answer, and not for a spoken reply (its sentences are
        read as they are written, and stay as they were measured)."""
        if not (self.settings.quote_answer_line and llm.continues_answers) or options.speak:
            return ""
        return answer_opening(sources, question)

    def prompt_history(
        self, llm: LLM, history: list[Message], grounded: bool, question: str | None = None
    ) -> list[Message]:
        """The chat put before a question: for an answer from passages only the newest turns within
        ``grounded_history_tokens`` (the passages hold the facts; a long chat before them costs
        seconds of reading), and none for a question that does not refer back to it
        (core.answers.follow_up): a small model mixed an earlier answer's subject into the new one.
        None for ``question``: the next one, not asked yet (reading ahead keeps the chat for a
        follow-up)."""
        if not grounded:
            return history
        if question is not None and not refers_back(question):
            return []
        return recent_history(history, self.settings.grounded_history_tokens, llm.count_tokens)

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
        """The messages sent to the model (see core.answers.prompt_builder); ``grounded``: passages
        found; ``opening``: the start of the answer, for the model to continue."""
        if grounded is None:
            grounded = bool(sources)
        return build_messages(
            llm, history, question, sources, options, self.settings.max_answer_tokens, grounded, opening
        )

    def read_ahead(
        self, llm: LLM, model: str | None, history: list[Message], grounded: bool, options: AskOptions
    ) -> None:
        """In the background, read the start of the next question's prompt (system prompt and the
        chat so far, grounded like this answer) into the model's cache: a follow-up then only has
        its passages and question left to read. A no-op for servers (llm.read_ahead)."""
        if not self.settings.read_ahead:
            return
        messages = [system_message(options, grounded), *self.prompt_history(llm, history, grounded)]
        threading.Thread(
            target=llm.read_ahead, args=(messages, model), name="read-ahead", daemon=True
        ).start()
