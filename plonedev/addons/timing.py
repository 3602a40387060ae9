"""How long each step of an add-on change took: shown to the user, read by bench/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from plonedev.report import Reporter, Step


@dataclass(frozen=True)
class StepTime:
    key: str  # "config", "sources", "install", "restart", "profile", ...
    seconds: float


class Timeline:
    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.steps: list[StepTime] = []

    @contextmanager
    def step(self, key: str, title: str) -> Iterator[Step]:
        """A step the user sees (a spinner, then a line with its duration)."""
        started = time.monotonic()
        try:
            with self.reporter.step(title) as step:
                yield step
        finally:
            self.steps.append(StepTime(key, time.monotonic() - started))

    @contextmanager
    def timed(self, key: str) -> Iterator[None]:
        """A step that reports itself (plonedev up's own steps, the runtime's events)."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.steps.append(StepTime(key, time.monotonic() - started))
