"""One backend's answer to one question, streamed as events: the tokens (after the quoted
opening), the spoken sentences, the checks, the stats, and the answer stored as it ends, whether
it finished, failed part-way, or was stopped by the reader."""

from __future__ import annotations

import time
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any, Literal

from config.settings import Settings
from core.answers.checks import EchoGate, check_answer, repeats_a_line, runaway_markers
from core.answers.computed import Computation
from core.answers.formula_questions import asks_only_for_the_figure
from core.answers.history import chat_history
from core.answers.prompting import Prompter
from core.chats import Chats
from core.engines import BACKEND_NAMES, Attempt, Engines
from core.events import Audio, Check, Done, Error, Event, Notice, Source, Stats, Token
from core.options import AskOptions
from core.voice.speech import Speech
from core.voice.spoken import SpokenReply, speech_timings
from errors import LLMStreamError, LLMUnavailable, ModelNotFound
from models.llm_base import GenerationStats, Message
from utils.audio_utils import join_wavs

Outcome = Literal["done", "failed", "fall back"]


@dataclass
class Turn:
    """One question being answered: what every backend attempt needs."""

    conversation_id: str
    question: str
    history: list[Message]
    sources: list[Source]  # [] when nothing relevant was found: answered as plain chat
    searched: bool  # it asked something of the documents (sources [] then means none matched)
    options: AskOptions
    started: float
    breakdown: dict[str, float]
    no_passage_note: str = ""  # what the answer says when it is not from the documents
    computation: Computation | None = None  # a figure the question asks to be computed
    notes: list[str] = field(default_factory=list)  # notices shown with it, stored with the answer

    def note(self, text: str) -> Notice:
        """A notice for the user, kept to be stored (and shown again) with the answer."""
        self.notes.append(text)
        return Notice(text)


@dataclass
class Answering:
    """What an attempt works with (the capabilities it reads from and writes to)."""

    settings: Settings
    chats: Chats
    engines: Engines
    speech: Speech
    prompter: Prompter


class BackendAnswer:
    """Stream ``attempt``'s answer to ``turn``; ``run`` returns "fall back" when the backend could
    not start and ``fallback`` (the next backend's name) may try instead."""

    def __init__(self, answering: Answering, turn: Turn, attempt: Attempt, fallback: str | None):
        self.a = answering
        self.turn = turn
        self.attempt = attempt
        self.fallback = fallback
        self.pieces: list[str] = []
        self.opening = ""
        self.first_token_s: float | None = None
        self.stats = GenerationStats(model=attempt.model or "")
        self.meta: dict[str, Any] = {"backend": attempt.llm.name, "notes": turn.notes}
        self.meta["sources"] = [s.as_dict() for s in turn.sources]
        if turn.computation is not None:
            self.meta["computed"] = [turn.computation.as_dict()]
        if turn.searched and not turn.sources:
            # shown with the answer: the model's own, not the documents' (the note says why)
            self.meta["no_passage"] = turn.no_passage_note or True
        self.spoken: SpokenReply | None = None
        self.clips: list[bytes] = []
        self.model_ran = True  # False for a figure computed in code that is the whole answer

    def run(self) -> Generator[Event, None, Outcome]:
        turn, llm = self.turn, self.attempt.llm
        if turn.options.speak:
            self.spoken = SpokenReply(self.a.speech.tts(turn.options), turn.started)
        if self._computed_is_the_answer():
            yield from self._computed_answer()
            return "done"
        messages, self.opening = self.a.prompter.messages(
            llm, turn.history, turn.question, turn.sources, turn.options, turn.computation
        )
        try:
            yield from self._stream(messages)
        except (LLMUnavailable, ModelNotFound) as e:
            self._cancel_speech()
            if not self.pieces and self.fallback:
                if self.a.engines.went_down(llm.name):
                    instead = BACKEND_NAMES.get(self.fallback, self.fallback)
                    yield turn.note(f"{e} Answering with {instead} instead.")
                return "fall back"
            yield from self._cut_off(str(e))
            return "failed"
        except LLMStreamError as e:
            self._cancel_speech()
            yield from self._cut_off(str(e))
            return "failed"
        except GeneratorExit:
            self._cancel_speech()
            self._keep_stopped()
            raise
        yield from self._finish()
        return "done"

    def _stream(self, messages: list[Message]) -> Generator[Event, None, None]:
        turn, llm, settings = self.turn, self.attempt.llm, self.a.settings
        grounded = bool(turn.sources)
        stream = llm.stream(
            messages,
            model=self.attempt.model,
            max_tokens=settings.max_answer_tokens,
            temperature=settings.grounded_temperature if grounded else settings.temperature,
            stats=self.stats,
            repeat_penalty=None if grounded else settings.chat_repeat_penalty,
        )
        gate = EchoGate(turn.sources, self.opening) if grounded else None  # lines the check would drop
        with closing(stream):
            for piece in stream:
                if self.first_token_s is None:
                    yield from self._begin()  # the opening, shown (and said) once the model is under way
                shown = gate.feed(piece) if gate else piece
                if gate is not None and gate.repeated:
                    if shown:
                        self.pieces.append(shown)
                        yield Token(shown)
                        yield from self._say(shown)
                    break  # the same line again (not shown): the model goes round in circles
                if not shown:
                    continue
                self.pieces.append(shown)
                yield Token(shown)
                if grounded and self._runs_away():
                    gate = None
                    break  # "[1] [2] [3] ..." or the same lines again until the token limit: stop
                yield from self._say(shown)
        if gate is not None and (rest := gate.flush()):
            self.pieces.append(rest)
            yield Token(rest)
            yield from self._say(rest)
        if self.first_token_s is None and self.opening:
            yield from self._begin()  # the model ended at once after the opening: it is the answer

    def _computed_is_the_answer(self) -> bool:
        """The question asks only for a figure computed in code: its sentence, with the work shown
        under it, is the whole answer, and no model is asked (on rag-bench-more the fast model went
        on with a false sentence: "17.98 is the average PP&E between FY2017 and FY2018.", and
        reading the prompt cost seconds before the sentence could be shown)."""
        computation = self.turn.computation
        return (
            computation is not None
            and not computation.refused
            and asks_only_for_the_figure(self.turn.question)
        )

    def _computed_answer(self) -> Generator[Event, None, None]:
        assert self.turn.computation is not None
        self.opening = self.turn.computation.sentence()
        self.model_ran = False
        yield from self._begin()
        yield from self._finish()

    def _begin(self) -> Generator[Event, None, None]:
        self.first_token_s = time.perf_counter() - self.turn.started
        if self.model_ran:
            self.a.engines.answered(self.attempt.llm.name)
        if self.opening:
            self.pieces.append(self.opening)
            yield Token(self.opening)
            yield from self._say(self.opening)

    def _say(self, text: str) -> Generator[Event, None, None]:
        """The sentences of ``text`` that are complete, spoken (for a spoken reply)."""
        if self.spoken:
            for clip in self.spoken.feed(text):
                self.clips.append(clip.wav)
                yield Audio(clip.index, clip.text, clip.wav)

    def _runs_away(self) -> bool:
        written = "".join(self.pieces)
        return runaway_markers(written[len(self.opening) :]) or repeats_a_line(written)

    def _cancel_speech(self) -> None:
        if self.spoken:
            self.spoken.cancel()

    def _keep_stopped(self) -> None:
        """The reader stopped the answer (Stop button, closed page): keep what was said, and how
        long it took to start (a hands-free reply is often interrupted by the next question)."""
        if not self.pieces:
            return
        breakdown = self.turn.breakdown
        if self.spoken:
            breakdown.update(speech_timings(self.spoken, self.first_token_s, breakdown))
        self.meta.update(cut_off=True, cut_off_reason="stopped", breakdown=breakdown)
        self.a.chats.add_answer(self.turn.conversation_id, "".join(self.pieces), self.meta)

    def _cut_off(self, reason: str) -> Generator[Event, None, None]:
        message_id = None
        text = "".join(self.pieces)
        if self.pieces:
            self.meta.update(cut_off=True, cut_off_reason=reason)
            message_id = self.a.chats.add_answer(self.turn.conversation_id, text, self.meta)
        yield Error(reason, partial=bool(self.pieces))
        yield Done(message_id, text, cut_off=True)

    def _finish(self) -> Generator[Event, None, None]:
        turn = self.turn
        answer = "".join(self.pieces)
        if turn.sources:
            computed = turn.computation.work() if turn.computation and not turn.computation.refused else ""
            check = check_answer(answer, turn.sources, turn.question, computed, turn.computation is not None)
            answer = check.answer
            self.meta["check"] = check.as_dict()
            yield Check(check.answer, check.unsupported_figures, check.citations_added, check.degenerate)
        if self.spoken:
            yield from self._finish_speech()
        stats = Stats(
            backend=self.attempt.llm.name if self.model_ran else "computed in code",
            model=(self.stats.model or self.attempt.model or "") if self.model_ran else "no model asked",
            first_token_s=self.first_token_s,
            total_s=time.perf_counter() - turn.started,
            completion_tokens=(self.stats.completion_tokens or len(self.pieces)) if self.model_ran else 0,
            prompt_tokens=self.stats.prompt_tokens,
            breakdown=turn.breakdown,
        )
        self.meta["stats"] = {**stats.__dict__, "tokens_per_s": stats.tokens_per_s}
        self.meta["model"] = stats.model
        message_id = self.a.chats.add_answer(turn.conversation_id, answer, self.meta)
        if self.a.settings.read_ahead and self.model_ran:
            history = chat_history(self.a.chats.messages(turn.conversation_id))
            self.a.prompter.read_ahead(
                self.attempt.llm, self.attempt.model, history, bool(turn.sources), turn.options
            )
        yield stats
        yield Done(message_id, answer)

    def _finish_speech(self) -> Generator[Event, None, None]:
        """The last sentences read aloud, and the whole reply stored (oldest ones removed to stay
        under the limit)."""
        assert self.spoken is not None
        for clip in self.spoken.finish():
            self.clips.append(clip.wav)
            yield Audio(clip.index, clip.text, clip.wav)
        if self.spoken.error:
            yield self.turn.note(str(self.spoken.error))
        self.turn.breakdown.update(speech_timings(self.spoken, self.first_token_s, self.turn.breakdown))
        if self.clips:
            self.meta["audio"], removed = self.a.speech.audio.save(join_wavs(self.clips))
            if removed:
                limit = self.a.settings.max_audio_storage_mb
                yield self.turn.note(
                    f"Removed the {removed} oldest spoken repl{'y' if removed == 1 else 'ies'} to keep "
                    f"stored speech under {limit} MB."
                )
