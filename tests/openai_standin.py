"""OpenAIStandIn: a local HTTP server speaking the OpenAI chat-completions wire format, for the
**error cases** of the OpenAI-compatible backend (401, 404, 500, a stream cut mid-answer, a
stalled stream). The backend's normal path is tested against a real server, llama-cpp-python's
own ``python -m llama_cpp.server`` (tests/integration/test_openai_backend.py).

- ``GET /v1/models`` -> ``{"object": "list", "data": [{"id", "object": "model", "created", "owned_by"}]}``
- ``POST /v1/chat/completions`` with ``"stream": true`` -> ``text/event-stream`` of
  ``data: {"id", "object": "chat.completion.chunk", "created", "model", "choices": [{"index": 0,
  "delta": {"content": ...}, "finish_reason": null}]}`` events, a last chunk with
  ``finish_reason: "stop"``, a usage chunk when ``stream_options.include_usage`` is set, then
  ``data: [DONE]``
- errors as ``{"error": {"message", "type", "param", "code"}}`` with the HTTP status.

Faults (``server.fault``): "401", "500", "cut" (the connection closes mid-answer), "stall".
An unknown model gets 404.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.standin_server import StandInServer


class _Handler(BaseHTTPRequestHandler):
    server: OpenAIStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str, code: str | None = None) -> None:
        self._json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})

    def _event(self, obj: dict[str, Any] | str) -> None:
        data = obj if isinstance(obj, str) else json.dumps(obj)
        payload = f"data: {data}\n\n".encode()
        self.wfile.write(f"{len(payload):X}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def _authorised(self) -> bool:
        if self.server.fault == "401":
            self._error(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
            return False
        return True

    def do_GET(self) -> None:
        if self.path != "/v1/models":
            self._error(404, "Not found", "invalid_request_error")
        elif self._authorised():
            data = [
                {"id": m, "object": "model", "created": 1700000000, "owned_by": "me"}
                for m in self.server.models
            ]
            self._json(200, {"object": "list", "data": data})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        self.server.requests.append((self.path, body))
        if self.path != "/v1/chat/completions":
            self._error(404, "Not found", "invalid_request_error")
            return
        if not self._authorised():
            return
        model = body.get("model", "")
        if model not in self.server.models:
            self._error(
                404, f"The model `{model}` does not exist.", "invalid_request_error", "model_not_found"
            )
            return
        if self.server.fault == "500":
            self._error(500, "The server had an error while processing your request.", "server_error")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        base = {
            "id": "chatcmpl-standin",
            "object": "chat.completion.chunk",
            "created": 1700000000,
            "model": model,
        }
        for i, piece in enumerate(self.server.reply):
            if i == 2 and self.server.fault == "cut":
                self.close_connection = True
                self.connection.shutdown(2)  # the server dies mid-answer
                return
            if i == 2 and self.server.fault == "stall":
                time.sleep(self.server.stall_s)
                return
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            self._event({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        if (body.get("stream_options") or {}).get("include_usage"):
            usage = {"prompt_tokens": 21, "completion_tokens": len(self.server.reply), "total_tokens": 26}
            self._event({**base, "choices": [], "usage": usage})
        self._event("[DONE]")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class OpenAIStandIn(StandInServer):
    """Start with ``with OpenAIStandIn() as server:``; ``server.url`` is its base URL (ends in /v1)."""

    def __init__(self, models: list[str] | None = None, reply: list[str] | None = None):
        super().__init__(_Handler, reply)
        self.models = list(models if models is not None else ["big-model"])

    @property
    def url(self) -> str:
        return f"{self.base}/v1"
