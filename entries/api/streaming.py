"""A blocking event generator (an answer) run in a thread and read from asyncio; ``stop()``
closes it at its next event, as the page's Stop does, so the answer so far is stored as stopped."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Generator
from typing import Any

log = logging.getLogger("entries.api")


class Failed:
    """What the generator raised (the stream says so; the log has the trace)."""

    def __init__(self, error: BaseException):
        self.error = error


_END = object()


class EventPump:
    """``events`` run in a thread of their own; iterate ``async for`` to get them in order."""

    def __init__(self, events: Generator[Any, None, Any]):
        self._events = events
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._stop = threading.Event()
        self.finished = threading.Event()
        self._ended = False
        self._thread = threading.Thread(target=self._run, name="api-answer", daemon=True)
        self._thread.start()

    def _put(self, item: Any) -> None:
        self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    def _run(self) -> None:
        try:
            for event in self._events:
                if self._stop.is_set():
                    break
                self._put(event)
        except Exception as e:
            log.exception("an answer failed")
            self._put(Failed(e))
        finally:
            try:
                self._events.close()  # a stopped answer is stored, marked stopped
            except Exception:
                log.exception("closing a stopped answer failed")
            self.finished.set()
            try:
                self._put(_END)
            except RuntimeError:
                pass  # the event loop is gone (the server is shutting down)

    def stop(self) -> None:
        """Stop at the next event (the client went away)."""
        self._stop.set()

    async def next(self) -> Any | None:
        """The next event (or Failed), None once the answer has ended."""
        if self._ended:
            return None
        item = await self._queue.get()
        if item is _END:
            self._ended = True
            return None
        return item

    async def __aiter__(self) -> AsyncIterator[Any]:
        while (item := await self.next()) is not None:
            yield item
