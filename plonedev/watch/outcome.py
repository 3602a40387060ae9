"""What one action did, and the line the user reads about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SHOWN_TRIGGERS = 3


@dataclass(frozen=True)
class ActionOutcome:
    service: str
    ok: bool
    summary: str  # "reloaded 2 modules", "restarted", "failed to start"
    seconds: float
    triggers: tuple[Path, ...]
    details: str = ""  # the end of a traceback, for a failure
    hint: str = ""  # how to go on, for a failure
    warnings: tuple[str, ...] = field(default=())


def describe(outcome: ActionOutcome, root: Path) -> str:
    """One line: `backend: reloaded 2 modules in 0.3 s — src/pkg/a.py, src/pkg/b.py`."""
    line = f"{outcome.service}: {outcome.summary} in {_seconds(outcome.seconds)} s"
    if outcome.triggers:
        line += f" — {shown_paths(outcome.triggers, root)}"
    if outcome.hint:
        line += f" ({outcome.hint})"
    return line


def _seconds(seconds: float) -> str:
    # A reload can take a few milliseconds: "0.0 s" would read as "not measured".
    return f"{seconds:.1f}" if seconds >= 0.1 else f"{seconds:.2f}"


def shown_paths(paths: tuple[Path, ...], root: Path) -> str:
    shown = [_relative(path, root) for path in paths[:SHOWN_TRIGGERS]]
    more = len(paths) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def traceback_tail(log_lines: list[str], max_lines: int = 12) -> str:
    """The end of the last traceback in a log (or its last lines when it has none)."""
    start = None
    for index in range(len(log_lines) - 1, -1, -1):
        if log_lines[index].lstrip().startswith("Traceback (most recent call last)"):
            start = index
            break
    lines = log_lines[start:] if start is not None else log_lines
    lines = [line for line in lines if not line.startswith("--- plonedev:")]
    return "\n".join(lines[-max_lines:])
