"""The plumbing the wire-format stand-ins share: a threaded HTTP server on a free loopback port,
started and stopped with ``with``."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class StandInServer(ThreadingHTTPServer):
    """``with Subclass() as server:`` serves on 127.0.0.1:<free port> until the block ends."""

    daemon_threads = True

    def __init__(self, handler: type[BaseHTTPRequestHandler], reply: list[str] | None):
        super().__init__(("127.0.0.1", 0), handler)
        self.reply = reply or ["The capital", " of France", " is", " Paris", "."]
        self.fault = ""
        self.stall_s = 3.0
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()
        self.server_close()
