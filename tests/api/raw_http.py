"""HTTP by hand over a socket, for bodies a client library would send whole: a request whose
body is never finished, to see the server refuse it before reading it all."""

from __future__ import annotations

import json
import socket


def request(port: int, head: str, parts: list[bytes], timeout: float = 10.0) -> tuple[int, dict]:
    """Send ``head`` (request line and headers, no blank line) and then ``parts`` (stopping where
    the server stops reading), without ever ending the body; the status and JSON body answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head.encode() + b"\r\n\r\n")
        s.settimeout(3)
        for part in parts:
            try:
                s.sendall(part)
            except OSError:  # the server answered and stopped reading, or closed: read what it said
                break
        s.settimeout(timeout)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        header, _, body = data.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        length = next(
            int(v) for k, v in (x.split(": ", 1) for x in lines[1:]) if k.lower() == "content-length"
        )
        while len(body) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            body += chunk
    return status, json.loads(body[:length])


def chunk(data: bytes) -> bytes:
    """One piece of a chunked body."""
    return b"%x\r\n" % len(data) + data + b"\r\n"
