"""Plain events the orchestrator yields while answering. The UI renders them, the CLI prints them,
tests assert on them: none of them knows about Streamlit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from utils.citations import location


@dataclass(frozen=True)
class Notice:
    """Something the user should know that is not an error (e.g. fell back to the embedded model)."""

    text: str


@dataclass(frozen=True)
class Source:
    """One retrieved passage, numbered as it is cited in the prompt ([1], [2] ...)."""

    number: int
    file: str
    page_start: int
    page_end: int
    score: float
    text: str
    excerpt: str = ""  # the lines of ``text`` put in the prompt ("" = all of it)
    label: str = ""  # which document: company, form and period from its cover, and the file stem
    context: str = ""  # the heading of its page: statement title and column years
    ocr: bool = False  # its text was read from a scanned page by OCR (may hold misread characters)
    unit: str = "page"  # what page_start/page_end count: "page", "section" or "paragraph"
    answer_lines: tuple[str, ...] = ()  # its excerpt lines most likely to hold the figure asked for
    operand_lines: tuple[str, ...] = ()  # its rows a computed figure took ("Inventories 1,300")
    doc_id: str = ""  # which document (its content's sha256), for a picture of its page

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @property
    def pages(self) -> str:
        """Where it is: "p. 5", "pp. 5-6", "section 3", "¶ 12-14", "sheet 2, rows 42-81"."""
        return location(self.unit, self.page_start, self.page_end, self.text)


@dataclass(frozen=True)
class Sources:
    items: list[Source]


@dataclass(frozen=True)
class Computed:
    """A figure computed in code from cited statement lines (core.answers.computed), or why it
    could not be: name, formula, operands (label, value, period, source), value, shown, refused."""

    items: list[dict[str, Any]]


@dataclass(frozen=True)
class Check:
    """What the checks found in a finished grounded answer (core/answers/checks.py): the answer as
    stored (citations added, a degenerate answer replaced) and figures not found in the sources."""

    answer: str
    unsupported_figures: list[str]
    citations_added: int
    degenerate: bool


@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class Error:
    """The answer failed. ``partial`` is True when some of it was already streamed (and kept)."""

    text: str
    partial: bool = False


@dataclass(frozen=True)
class Stats:
    """Timings of one answer, in seconds; ``breakdown`` holds per-stage times (retrieval, ...)."""

    backend: str
    model: str
    first_token_s: float | None
    total_s: float
    completion_tokens: int
    prompt_tokens: int
    breakdown: dict[str, float] = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float:
        gen = self.total_s - (self.first_token_s or 0.0)
        return self.completion_tokens / gen if gen > 0 and self.completion_tokens else 0.0


@dataclass(frozen=True)
class Done:
    """The answer is stored; ``cut_off`` says whether it is complete."""

    message_id: int | None
    text: str
    cut_off: bool = False


Event = Notice | Sources | Token | Check | Error | Stats | Done  # (| Audio when speaking)


@dataclass(frozen=True)
class IngestProgress:
    """Work on one file: ``stage`` is "reading" (pages) or "embedding" (chunks)."""

    file: str
    stage: str
    done: int
    total: int


@dataclass(frozen=True)
class IngestResult:
    """How one file ended. ``skipped``: it was already in the knowledge base (ok, nothing added);
    ``needs_password`` asks the UI for a password field."""

    file: str
    ok: bool
    message: str
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    empty_pages: tuple[int, ...] = ()
    needs_password: bool = False
    skipped: bool = False


@dataclass(frozen=True)
class Audio:
    """One spoken sentence of the answer, in order (``index`` from 0), as WAV bytes."""

    index: int
    text: str
    wav: bytes
