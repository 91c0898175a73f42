"""Load the models in the background as soon as the app starts, so the first question is as fast
as the next ones; the page says what is loading and stays usable meanwhile."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from utils.heap import freeze_loaded


@dataclass
class Warmup:
    """Named loading steps run one after another in a daemon thread; what they loaded is then
    left out of the garbage collector's full passes (utils/heap.py)."""

    steps: list[tuple[str, Callable[[], object]]]
    loading: str = ""  # the step running now ("" when none)
    done: bool = False
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def start(self) -> Warmup:
        threading.Thread(target=self._run, name="warm-up", daemon=True).start()
        return self

    def _run(self) -> None:
        for name, step in self.steps:
            self.loading = name
            started = time.perf_counter()
            try:
                step()
            except Exception as e:  # noqa: BLE001 - a failed warm-up is retried on first use
                self.errors.append(f"{name}: {e}")
            self.seconds[name] = time.perf_counter() - started
        freeze_loaded()
        self.loading = ""
        self.done = True

    def wait(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while not self.done and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.done
