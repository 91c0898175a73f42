"""Reading Server-Sent Events from an httpx streamed response."""

from __future__ import annotations

import json
from collections.abc import Iterator


def events(response) -> Iterator[tuple[str, dict]]:
    """(name, data) of each event, as they come."""
    name, data = "message", []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []
