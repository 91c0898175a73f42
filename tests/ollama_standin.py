"""OllamaStandIn: a local HTTP server speaking Ollama's documented wire format.

This is a **test stand-in** for a real Ollama server, which cannot be installed on these
machines (not on PyPI, Debian or npm; no Docker engine). It implements exactly the endpoints
the app uses, with Ollama's shapes:

- ``GET /api/version`` -> ``{"version": "0.12.6"}``
- ``GET /api/tags`` -> ``{"models": [{"name", "model", "modified_at", "size", "digest", "details"}]}``
- ``POST /api/chat`` -> NDJSON lines ``{"model", "created_at", "message": {"role", "content"},
  "done": false}``, closed by a ``"done": true`` line with ``done_reason`` and the eval counts
  and durations (nanoseconds)
- ``POST /api/pull`` -> NDJSON progress ``{"status", "digest", "total", "completed"}`` ending
  with ``{"status": "success"}``
- errors as ``{"error": "..."}`` with a 4xx/5xx status (404 for an unknown model)

Faults are switched on with ``server.fault``: "500", "malformed" (a non-JSON line mid-stream),
"die" (the connection closes mid-answer) or "stall" (stops sending mid-answer).
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.standin_server import StandInServer

VERSION = "0.12.6"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class _Handler(BaseHTTPRequestHandler):
    server: OllamaStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    # --- plumbing -------------------------------------------------------------------
    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_ndjson(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _line(self, obj: dict[str, Any]) -> None:
        self._chunk(json.dumps(obj).encode() + b"\n")

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    # --- endpoints ------------------------------------------------------------------
    def do_GET(self) -> None:
        if self.path == "/api/version":
            self._json(200, {"version": VERSION})
        elif self.path == "/api/tags":
            self._json(200, {"models": [_tag(name) for name in self.server.models]})
        else:
            self._json(404, {"error": "404 page not found"})

    def do_POST(self) -> None:
        body = self._body()
        self.server.requests.append((self.path, body))
        if self.path == "/api/chat":
            self._chat(body)
        elif self.path == "/api/pull":
            self._pull(body)
        else:
            self._json(404, {"error": "404 page not found"})

    def _chat(self, body: dict[str, Any]) -> None:
        model = body.get("model", "")
        if model not in self.server.models:
            self._json(404, {"error": f'model "{model}" not found, try pulling it first'})
            return
        if self.server.fault == "500":
            self._json(500, {"error": "llama runner process has terminated: exit status 2"})
            return
        self._start_ndjson()
        for i, piece in enumerate(self.server.reply_to(body.get("messages") or [])):
            if i == 2 and self.server.fault == "malformed":
                self._chunk(b"{not json\n")
                break
            if i == 2 and self.server.fault == "die":
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)  # socket.SHUT_RDWR: the server dies mid-answer
                return
            if i == 2 and self.server.fault == "stall":
                time.sleep(self.server.stall_s)
                return
            self._line(
                {
                    "model": model,
                    "created_at": _now(),
                    "message": {"role": "assistant", "content": piece},
                    "done": False,
                }
            )
        else:
            self._line(
                {
                    "model": model,
                    "created_at": _now(),
                    "message": {"role": "assistant", "content": ""},
                    "done": True,
                    "done_reason": "stop",
                    "total_duration": 1_200_000_000,
                    "load_duration": 100_000_000,
                    "prompt_eval_count": 26,
                    "prompt_eval_duration": 300_000_000,
                    "eval_count": len(self.server.reply),
                    "eval_duration": 800_000_000,
                }
            )
        self._end_chunks()

    def _pull(self, body: dict[str, Any]) -> None:
        model = body.get("model") or body.get("name", "")
        if model not in self.server.pullable:
            self._start_ndjson()
            self._line({"status": "pulling manifest"})
            self._line({"error": "pull model manifest: file does not exist"})
            self._end_chunks()
            return
        self._start_ndjson()
        self._line({"status": "pulling manifest"})
        digest = "sha256:" + "ab" * 32
        total = 4_000_000
        for completed in range(0, total + 1, 1_000_000):
            self._line(
                {
                    "status": f"pulling {digest[7:19]}",
                    "digest": digest,
                    "total": total,
                    "completed": completed,
                }
            )
        for status in ("verifying sha256 digest", "writing manifest", "success"):
            self._line({"status": status})
        self._end_chunks()
        self.server.models.append(model)


def _tag(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "model": name,
        "modified_at": "2025-10-17T23:14:07.414671Z",
        "size": 2_019_393_189,
        "digest": "a80c4f17acd5" + "0" * 52,
        "details": {
            "parent_model": "",
            "format": "gguf",
            "family": "llama",
            "families": ["llama"],
            "parameter_size": "3.2B",
            "quantization_level": "Q4_K_M",
        },
    }


class OllamaStandIn(StandInServer):
    """Start with ``with OllamaStandIn() as server:``; ``server.url`` is its base URL."""

    def __init__(self, models: list[str] | None = None, reply: list[str] | None = None):
        super().__init__(_Handler, reply)
        self.models = list(models if models is not None else ["llama3.2:latest"])
        self.pullable = {"tinyllama:latest"}
        self.echo: re.Pattern[str] | None = None

    def reply_to(self, messages: list[dict[str, Any]]) -> list[str]:
        """The fixed reply, or with ``echo`` set, "Answer to <the last match in the question>."
        (tells concurrent sessions' answers apart)."""
        if self.echo is None:
            return self.reply
        question = next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")
        found = self.echo.findall(question)
        return ["Answer to ", found[-1] if found else "nothing", "."]

    @property
    def url(self) -> str:
        return self.base
