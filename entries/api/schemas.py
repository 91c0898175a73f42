"""Request and response models of the API (they are its OpenAPI schema)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Backend = Literal["auto", "openai", "ollama", "embedded"]


# --- knowledge bases and documents -------------------------------------------------------
class KnowledgeBaseIn(BaseModel):
    name: str = Field(description="Its name, 1-60 characters, unique (case does not matter).")


class KnowledgeBaseOut(BaseModel):
    id: str
    name: str
    created_at: float


class DocumentOut(BaseModel):
    id: str
    name: str
    sha256: str
    size_bytes: int
    pages: int = Field(description="How many pages, sections or paragraphs (see unit).")
    unit: str = Field(description='What pages counts: "page", "section" or "paragraph".')
    chunks: int
    empty_pages: list[int]
    added_at: float


class PageOut(BaseModel):
    number: int = Field(description="Its number, from 1 (a page, section or paragraph: see unit).")
    label: str = Field(description='Where it is, as a citation names it: "p. 5", "section 3", "¶ 12".')
    text: str = Field(description="Its text as it was read, cut at max_chars characters.")
    chars: int = Field(description="The length of its whole text.")
    truncated: bool = Field(description="text is cut (ask again with a larger max_chars for all of it).")


class DocumentWithPages(DocumentOut):
    parts: list[PageOut] = Field(
        description="Its pages (or sections, paragraphs) with their text, from number first on: "
        "limit of them at most, each cut at max_chars characters."
    )
    next_first: int | None = Field(
        description="Pass it as first for the parts that follow; null when there are no more."
    )


class ReindexDocumentIn(BaseModel):
    password: str = Field("", description="The password of an encrypted PDF (it is not kept).")


class FileProgress(BaseModel):
    name: str
    state: Literal["queued", "reading", "ocr", "embedding", "done", "skipped", "failed"]
    done: int = 0
    total: int = 0
    ok: bool | None = None
    message: str = ""
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    needs_password: bool = False


class JobOut(BaseModel):
    id: str
    knowledge_base: str
    status: Literal["queued", "running", "done"]
    files: list[FileProgress]
    created_at: float


class SearchIn(BaseModel):
    query: str
    k: int = Field(5, ge=1, le=50)


class Hit(BaseModel):
    file: str
    page_start: int
    page_end: int
    score: float = Field(description="Relevance 0-1 (calibrated similarity, not a rank).")
    label: str
    text: str
    ocr: bool
    unit: str


class SearchOut(BaseModel):
    hits: list[Hit]


# --- chat --------------------------------------------------------------------------------
class ChatIn(BaseModel):
    message: str
    conversation_id: str | None = Field(None, description="Continue this chat; none: a new one.")
    knowledge_base: str | None = Field(
        None,
        description='Answer from this knowledge base (name or id); "" = none; '
        "omitted = the chat's (a new chat: My documents).",
    )
    documents_only: bool = False
    backend: Backend = "auto"
    model: str = Field("", description="Ollama or OpenAI-compatible model name, or a GGUF path (embedded).")
    preset: str = "default"


class SourceOut(BaseModel):
    number: int
    file: str
    page_start: int
    page_end: int
    pages: str = Field(description='Where: "p. 5", "pp. 5-6", "section 3".')
    unit: str
    score: float
    label: str
    text: str
    excerpt: str
    ocr: bool
    doc_id: str


class StatsOut(BaseModel):
    backend: str
    model: str
    first_token_s: float | None
    total_s: float
    completion_tokens: int
    prompt_tokens: int
    tokens_per_s: float
    breakdown: dict[str, float]


class ChatOut(BaseModel):
    conversation_id: str
    message_id: int | None
    answer: str = Field(description="The answer as stored: [n] citations, checked.")
    cut_off: bool
    sources: list[SourceOut]
    computed: list[dict[str, Any]] = Field(description="Figures computed in code, with their work.")
    unsupported_figures: list[str] = Field(description="Figures in the answer not found in the sources.")
    notices: list[str]
    stats: StatsOut | None
    error: str | None = None


# --- conversations -----------------------------------------------------------------------
class ConversationIn(BaseModel):
    knowledge_base: str | None = Field(None, description='Name or id; "" = none; omitted = My documents.')


class TitleIn(BaseModel):
    title: str


class ConversationOut(BaseModel):
    id: str
    title: str
    created_at: float
    updated_at: float
    knowledge_base: str = Field(description='The id it answers from ("" = none).')


class MessageOut(BaseModel):
    id: int
    role: str
    content: str
    created_at: float
    sources: list[dict[str, Any]] = []
    cut_off: bool = False
    cut_off_reason: str = ""


class ConversationWithMessages(ConversationOut):
    messages: list[MessageOut]


# --- voice and system --------------------------------------------------------------------
class TranscriptOut(BaseModel):
    text: str
    duration_s: float


class SpeakIn(BaseModel):
    text: str
    voice: str = Field("", description="A voice id from GET /v1/engines; empty: the default.")


class Health(BaseModel):
    status: Literal["ok"]


class BackendStatus(BaseModel):
    ok: bool
    detail: str
    models: list[str]


class BuiltinModel(BaseModel):
    key: str
    summary: str
    installed: bool


class EnginesOut(BaseModel):
    backend: str = Field(description="LLM_BACKEND: auto, openai, ollama or embedded.")
    builtin: list[BuiltinModel]
    ollama: BackendStatus
    voices: list[str]


# --- OpenAI-compatible -------------------------------------------------------------------
class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict[str, Any]] | None = None


class CompletionIn(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens ...: the app's own settings apply
    model: str = Field(description='"local" (plain chat) or "kb/<knowledge base name or id>".')
    messages: list[OpenAIMessage]
    stream: bool = False


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "local-assistant"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class CompletionMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: CompletionMessage
    finish_reason: Literal["stop", "length"]


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class Completion(BaseModel):
    """An OpenAI chat completion, plus the app's extra fields (a plain client ignores them)."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    sources: list[SourceOut] = Field(description="Extra: the passages the [n] citations point to.")
    unsupported_figures: list[str] = Field(description="Extra: figures not found in the sources.")
    computed: list[dict[str, Any]] = Field(description="Extra: figures computed in code.")
    notices: list[str] = Field(description="Extra: notes, e.g. not from your documents.")
