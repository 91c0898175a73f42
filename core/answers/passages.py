"""The passages an answer is built on: searched for (a follow-up with the questions before it),
numbered as sources, and trimmed to the lines that answer the question."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, Protocol

from config.settings import Settings
from core.answers.context import compress_sources
from core.answers.follow_up import interleaved, search_texts
from core.events import Source
from core.options import AskOptions
from core.voice.head_start import Prepared
from models.llm_base import Message
from retrieval.query_analysis import expand_abbreviations


class Searchable(Protocol):
    """What finding passages needs from a knowledge base."""

    def search(self, query: str, k: int) -> list[Any]: ...

    def embed(self, texts: list[str]) -> Any: ...

    def page_passages(self, doc_id: str, page: int) -> list[Any]: ...


def as_sources(hits: Sequence[Any]) -> list[Source]:
    """Knowledge-base hits as sources numbered from 1, untrimmed."""
    return [
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
            doc_id=h.doc_id,
        )
        for i, h in enumerate(hits, start=1)
    ]


class Passages:
    """Find a question's passages; those a head start found moments ago are used once."""

    def __init__(self, settings: Settings, count_tokens: Callable[[str], int]):
        self.settings = settings
        self._count_tokens = count_tokens
        self._prepared: Prepared[list[Source]] = Prepared()  # passages found by ``prepare``

    def for_question(
        self, question: str, history: list[Message], kb: Searchable, options: AskOptions, keep: bool = False
    ) -> list[Source]:
        """The passages for ``question`` (searched for with the questions before it when it refers
        back to them: core.answers.follow_up), or those ``prepare`` found (or is finding) for it
        moments ago, taken once; ``keep``: hold these for the ``ask`` that follows."""
        texts = search_texts(question, history)
        key = (options.collection, *texts)

        def found() -> list[Source]:
            return self.retrieve(question, kb, texts)

        if keep:
            return self._prepared.find(key, found)
        return self._prepared.take(key, found)

    def retrieve(
        self, question: str, kb: Searchable, search_for: Sequence[str] = (), k: int = 0
    ) -> list[Source]:
        """The best ``k`` (default: the top-k setting) passages for ``question``, trimmed to the
        lines that answer it for the prompt. ``search_for``: the texts to search with instead (a
        follow-up with the questions before it, and alone); their results are taken in turn, the
        best of each first."""
        top_k = k or self.settings.top_k
        hits = interleaved([kb.search(text, top_k) for text in search_for or [question]])
        return self._sources(question, hits, kb, top_k)

    def on_pages(self, kb: Searchable) -> PageNeighbours:
        """The other passages of the pages found in ``kb``, for reading a missing operand."""
        return PageNeighbours(self, kb)

    def _sources(self, question: str, hits: Sequence[Any], kb: Searchable, top_k: int) -> list[Source]:
        return self.trim(question, as_sources(hits), kb, top_k)

    def trim(self, question: str, sources: list[Source], kb: Searchable, top_k: int) -> list[Source]:
        """``sources`` with their excerpts trimmed to the lines that answer ``question``."""
        # A question spanning documents gets one passage per document: a little more room for each.
        budget = self.settings.context_budget_tokens
        if budget:
            budget += self.settings.budget_per_extra_source * max(0, len(sources) - top_k)
        # Lines are chosen for the question itself ("And its net income?" after a question on
        # revenue wants the net income line, not the revenue line its search text also names).
        wanted = expand_abbreviations(question)  # "capex" also finds "purchases of property ..."
        return compress_sources(
            wanted, sources, budget, self._count_tokens, kb.embed, self.settings.answer_line_hints
        )


class PageNeighbours:
    """The other passages of a source's page (a statement split into several passages), with its
    relevance, each page read from the knowledge base once; the one kept is trimmed for an
    operand as ``Passages.retrieve`` trims for a question (core.answers.computed.SamePage)."""

    def __init__(self, passages: Passages, kb: Searchable):
        self._passages = passages
        self._kb = kb
        self._pages: dict[tuple[str, int], list[Any]] = {}

    def passages(self, source: Source) -> list[Source]:
        """The page's other passages, untrimmed, numbered from 1."""
        key = (source.doc_id, source.page_start)
        if key not in self._pages:
            self._pages[key] = self._kb.page_passages(*key)
        hits = [h for h in self._pages[key] if h.text != source.text]
        return [replace(s, score=source.score) for s in as_sources(hits)]

    def trimmed(self, passage: Source, wanted: str) -> Source:
        """``passage`` with its excerpt trimmed to the lines on ``wanted``, under its own number."""
        return replace(self._passages.trim(wanted, [passage], self._kb, 1)[0], number=passage.number)
