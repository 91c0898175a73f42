"""Serve the API with uvicorn: on 127.0.0.1 by default (``API_HOST``, ``API_PORT``); on any other
address only with API keys, which every request must then send."""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from collections.abc import Sequence

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from config.settings import Settings  # noqa: E402
from core.assistant import LocalAIAssistant  # noqa: E402


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or a name) is this computer only."""
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(a[4][0]).is_loopback for a in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False


def keys_required(settings: Settings, host: str) -> bool:
    return settings.api_require_keys or not is_loopback(host)


def refusal(assistant: LocalAIAssistant, host: str) -> str | None:
    """Why the server must not start there, or None."""
    if keys_required(assistant.settings, host) and not assistant.api_keys.exist():
        where = (
            "on loopback with API_REQUIRE_KEYS" if is_loopback(host) else f"on {host}, open to the network,"
        )
        return (
            f"The API would need a key {where} but there is none. Make one with "
            "`python cli.py api-key create NAME`, or serve on 127.0.0.1."
        )
    return None


def main(argv: Sequence[str] | None = None) -> int:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m entries.api", description="Serve the HTTP API.")
    parser.add_argument("--host", default=settings.api_host, help="address (default API_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, default=settings.api_port, help="port (default API_PORT, 8000)")
    args = parser.parse_args(argv)
    assistant = LocalAIAssistant(settings)
    reason = refusal(assistant, args.host)
    if reason:
        print(f"error: {reason}", file=sys.stderr)
        return 2
    import uvicorn

    from entries.api.app import create_app

    app = create_app(assistant, require_keys=keys_required(settings, args.host))
    # as the page does: the embedder, the default knowledge base and (when answers would come
    # from it) the built-in model load in the background, so the first question does not wait
    assistant.answers.warm_up_in_background()
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
