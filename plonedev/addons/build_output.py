"""What a failed image build said, in one line: uv's own explanation.

Compose's error for a failed build ends with BuildKit's last line ("process ... did not
complete successfully") and a Dockerfile excerpt; uv's reason ("No solution found ...",
"... not found in the package registry") is further up. A RecordingReporter keeps every
line the build streams, and `explain` picks uv's reason out of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from plonedev.errors import PlonedevError
from plonedev.report import Reporter, Step
from plonedev.runtime.protocol import ServiceEvent

# BuildKit's prefixes: "#12 3.456 text" while the step runs, "3.456 text" in its summary.
_PREFIX = re.compile(r"^(#\d+\s+)?\d+(\.\d+)?\s+")
_MAX_LINES = 8


class _RecordingStep:
    def __init__(self, step: Step, lines: list[str]) -> None:
        self.step = step
        self.lines = lines

    def update(self, line: str) -> None:
        self.lines.append(line)
        self.step.update(line)

    def done(self, summary: str) -> None:
        self.step.done(summary)


class RecordingReporter:
    """Passes everything on to `reporter`, and keeps the steps' output lines."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self.lines: list[str] = []

    @contextmanager
    def step(self, title: str) -> Iterator[Step]:
        with self.reporter.step(title) as step:
            yield _RecordingStep(step, self.lines)

    def event(self, event: ServiceEvent) -> None:
        self.reporter.event(event)

    def warn(self, text: str) -> None:
        self.reporter.warn(text)

    def info(self, text: str) -> None:
        self.reporter.info(text)


def explain(error: PlonedevError, lines: list[str]) -> PlonedevError:
    """`error` with uv's reason as its message, when the output has one."""
    text = [_PREFIX.sub("", line.strip()).strip() for line in lines]
    start = next((i for i, line in enumerate(text) if line.startswith(("×", "error:"))), None)
    if start is None:
        return error
    said: list[str] = []
    for line in text[start:]:
        if not line or line.startswith(("#", "ERROR", "------")) or len(said) == _MAX_LINES:
            break
        said.append(line)
    return PlonedevError(f"the image build failed: uv: {' '.join(said)}", error.hint)
