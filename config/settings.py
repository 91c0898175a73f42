"""Typed application settings: one frozen dataclass, every field documented, env overrides.

Each field can be overridden by an environment variable of the same name in upper case
(``DATA_DIR``, ``OLLAMA_BASE_URL``, ``LLM_BACKEND`` ...). Tests build ``Settings`` directly.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "local-assistant"


@dataclass(frozen=True)
class Settings:
    # --- storage -------------------------------------------------------------------
    data_dir: Path = Path("data")
    """Where conversations (SQLite) and the knowledge base live."""
    database_url: str = field(default="", repr=False)
    """A PostgreSQL (with pgvector) database for the knowledge bases, e.g.
    ``postgresql://user:password@127.0.0.1:5432/assistant``; empty: SQLite under ``data_dir``."""
    search_in_database: bool = True
    """With ``database_url``: search inside PostgreSQL (HNSW + BM25 there, no chunk held in
    memory); False: load every chunk into the in-memory index, as on SQLite."""
    model_cache_dir: Path = field(default_factory=_default_cache_dir)
    """Where the embedded GGUF model is assembled from its pip packages."""

    # --- LLM -----------------------------------------------------------------------
    llm_backend: str = "auto"
    """"auto" (the OpenAI-compatible server if set, else Ollama when reachable, else embedded),
    "openai", "ollama" or "embedded"."""
    ollama_base_url: str = "http://127.0.0.1:11434"
    """Base URL of the Ollama server (``http://ollama:11434`` inside docker compose)."""
    ollama_model: str = "llama3.2"
    """Default Ollama model; the sidebar picker lists what is installed."""
    ollama_connect_timeout: float = 2.0
    """Seconds to wait for a TCP connection to Ollama."""
    ollama_read_timeout: float = 300.0
    """Seconds to wait between two bytes of an Ollama answer (slow CPUs load models slowly)."""
    openai_base_url: str = ""
    """An OpenAI-compatible server (e.g. ``http://127.0.0.1:8080/v1`` for llama-server); empty: none."""
    openai_api_key: str = ""
    """Its API key, if it wants one (local servers usually do not)."""
    openai_model: str = ""
    """Its model to use; empty: the first one it lists."""
    openai_connect_timeout: float = 2.0
    """Seconds to wait for a TCP connection to the OpenAI-compatible server."""
    openai_read_timeout: float = 300.0
    """Seconds to wait between two pieces of its answer."""
    builtin_model: str = "fast"
    """The built-in model: "fast" (Qwen2.5 0.5B, packaged) or "better" (Qwen2.5 1.5B, installed by
    ``scripts/setup.sh --better-model``)."""
    builtin_weights: str = "auto"
    """The built-in 0.5B model's weights: "auto" (an IQ4_NL copy, read twice as fast, on a CPU with
    AVX2; else as packaged), "iq4_nl" or "packaged" (models/fast_weights.py)."""
    gguf_path: str = ""
    """A local GGUF file for the embedded engine; empty means the packaged Qwen2.5 0.5B."""
    llm_threads: int = 0
    """CPU threads for the embedded engine; 0 means all cores."""
    llm_context_tokens: int = 4096
    """Context window of the embedded engine (prompt + answer)."""
    max_answer_tokens: int = 512
    """Longest answer, in tokens."""
    temperature: float = 0.3
    """Sampling temperature for chat."""
    chat_repeat_penalty: float = 1.1
    """How much a chat answer (not from documents) holds back tokens it just wrote: Ollama's default;
    without it the built-in model looped in lists ("Sensors, Motors, Sensors, ..."). Answers from
    documents get the backend's default (none for the built-in model): they must copy figures."""
    grounded_temperature: float = 0.0
    """Sampling temperature for answers from documents (0: the model copies figures, never samples)."""
    max_message_chars: int = 4000
    """Longest message a user may send; longer ones are refused with a clear error."""
    max_chats: int = 1000
    """Most chats one browser may keep; starting another asks the user to delete old ones first."""

    # --- knowledge base ------------------------------------------------------------
    chunk_tokens: int = 200
    """Word pieces per chunk (all-MiniLM-L6-v2 reads at most 256 and ignores the rest)."""
    chunk_overlap_tokens: int = 30
    """Word pieces shared by neighbouring chunks."""
    embedding_backend: str = "auto"
    """How chunks are embedded: "auto" (ONNX Runtime with int8 weights, on every CPU),
    "torch", "torch-bf16", "onnx" or "onnx-int8" (retrieval/embeddings/backends.py)."""
    top_k: int = 3
    """Passages put into the prompt for a grounded answer."""
    min_relevance: float = 0.25
    """Minimum relevance (0-1, the score shown beside a source) for a question to get sources at all;
    below it the question is answered as plain chat (retrieval/relevance.py)."""
    context_budget_tokens: int = 200
    """Tokens of retrieved text put in the prompt; passages are trimmed to their best lines (0 = whole)."""
    grounded_history_tokens: int = 300
    """Chat history kept before the passages of an answer from documents (the newest turns that fit):
    on a CPU every 150 prompt tokens cost about a second before the first word."""
    read_ahead: bool = True
    """After an answer, read the next prompt's start (system prompt and the chat so far) into the
    built-in model's cache while the reader reads or listens: a follow-up's first word comes sooner."""
    head_start: bool = True
    """Hands-free: when the speaker falls silent, transcribe the words so far and prepare the answer
    (passages, prompt read into the built-in model's cache) while the end-of-speech pause runs out."""
    answer_line_hints: int = 2
    """Excerpt lines most likely to hold the figure asked for, repeated before the question (0 = none)."""
    quote_answer_line: bool = True
    """Start an answer about a figure with a sentence stating the likely answer line (figure, unit,
    period, [n]; core/answers/figure_sentence.py), for a model that continues it (the built-in engine)."""
    budget_per_extra_source: int = 30
    """Extra prompt tokens for each passage past ``top_k`` (questions spanning several documents)."""
    max_upload_mb: int = 200
    """Largest PDF accepted, in MiB."""
    max_text_mb: int = 20
    """Largest web page, Markdown or text file accepted, in MiB (they are parsed in memory)."""
    max_files_per_upload: int = 20
    """Most files added in one upload; more are refused as a whole, with a clear message."""
    max_folder_files: int = 2000
    """Most documents in a folder a knowledge base follows; a bigger folder is not synced (it says so)."""
    folder_root: str = ""
    """Only folders under this one can be followed ("" = any folder the app's user can read); set it
    when people on other computers use the page."""
    folder_sync_delay_s: float = 3.0
    """A followed folder is synced this long after its last change seen (0 = only by "Sync now")."""
    pdf_timeout_s: float = 120.0
    """Per-file time limit for text extraction (each page read by OCR adds ``ocr_page_timeout_s``)."""
    ocr_max_pixels: int = 50_000_000
    """Largest page image (or image on a page) read by OCR, in pixels; 0 turns OCR off."""
    ocr_page_timeout_s: float = 60.0
    """Time limit for reading one scanned page by OCR."""

    # --- serving -------------------------------------------------------------------
    exposed_address: str = ""
    """The address people reach the app at when it differs from Streamlit's ``server.address``
    (docker compose binds 0.0.0.0 inside the container but publishes on 127.0.0.1)."""

    # --- HTTP API (entries/api, ``./run.sh api``) -----------------------------------------
    api_host: str = "127.0.0.1"
    """Address the HTTP API listens on; any address but a loopback one needs API keys."""
    api_port: int = 8000
    """Port the HTTP API listens on."""
    api_require_keys: bool = False
    """Ask for an API key (``cli.py api-key create NAME``) on loopback too; always asked otherwise."""

    # --- voice ---------------------------------------------------------------------
    stt_engine: str = "faster-whisper"
    """"faster-whisper" (default, packaged tiny.en) or "openai-whisper"."""
    whisper_size: str = "tiny.en"
    """Whisper model size: tiny.en (fast) and base (accurate, multilingual) are packaged; others
    need local weights."""
    whisper_language: str = "en"
    """Language a multilingual Whisper model decodes ("auto" detects it); English-only models ignore it."""
    max_audio_s: float = 300.0
    """Longest recording accepted, in seconds."""
    max_audio_storage_mb: int = 500
    """Disk kept for spoken replies (for replay); past it the oldest recordings are removed."""
    tts_rate: int = 175
    """Speaking rate in words per minute."""
    tts_volume: float = 0.9
    """Speech volume, 0-1."""
    tts_voice: str = ""
    """espeak-ng voice id; empty means the engine default."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, then environment variables, then ``overrides``."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _coerce(f.type, raw, f.name)
        values.update(overrides)
        return cls(**values)

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "conversations.sqlite3"

    @property
    def kb_dir(self) -> Path:
        return Path(self.data_dir) / "kb"

    @property
    def threads(self) -> int:
        return self.llm_threads or (os.cpu_count() or 2)


def _coerce(type_name: Any, raw: str, name: str) -> Any:
    kind = str(type_name)
    try:
        if kind == "Path":
            return Path(raw).expanduser()
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            word = raw.strip().lower()
            if word in ("1", "true", "yes", "on"):
                return True
            if word in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError as e:
        raise ValueError(f"Environment variable {name.upper()}={raw!r} is not a valid {kind}") from e
    return raw
