"""How use cases report progress without printing: the UI implements Reporter."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from plonedev.runtime.protocol import ServiceEvent


class Step(Protocol):
    def update(self, line: str) -> None:
        """Show the latest line of output of a long step (an install, a checkout)."""

    def done(self, summary: str) -> None:
        """Replace the step's default closing line with a summary."""


class Reporter(Protocol):
    def step(self, title: str) -> AbstractContextManager[Step]:
        """A long step with a spinner, closed with its duration."""

    def event(self, event: ServiceEvent) -> None: ...

    def warn(self, text: str) -> None: ...

    def info(self, text: str) -> None: ...


class _QuietStep:
    def update(self, line: str) -> None:
        pass

    def done(self, summary: str) -> None:
        pass


class QuietReporter:
    """Reports nothing; collects warnings (for tests and --json)."""

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.events: list[ServiceEvent] = []

    @contextmanager
    def step(self, title: str) -> Iterator[Step]:
        yield _QuietStep()

    def event(self, event: ServiceEvent) -> None:
        self.events.append(event)

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def info(self, text: str) -> None:
        pass
