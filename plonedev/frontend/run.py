"""Run the Node tools (npm, pnpm): stream their output, keep its end for the error."""

from __future__ import annotations

import os
import subprocess
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from plonedev.errors import PlonedevError

LineSink = Callable[[str], None]
_TAIL_LINES = 30
_SHOWN_LINES = 12


def run_tool(
    argv: Sequence[str],
    *,
    cwd: Path,
    what: str,
    hint: str,
    env: Mapping[str, str] | None = None,
    on_line: LineSink | None = None,
) -> str:
    """Run `argv`; return its output. On failure raise PlonedevError with its last lines."""
    tail: deque[str] = deque(maxlen=_TAIL_LINES)
    output: list[str] = []
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        raise PlonedevError(f"{what}: cannot run {argv[0]}: {exc.strerror}", hint) from None
    assert process.stdout is not None
    with process:
        for raw in process.stdout:
            line = raw.rstrip()
            output.append(line)
            if line.strip():
                tail.append(line)
                if on_line is not None:
                    on_line(line)
    if process.returncode != 0:
        shown = error_tail(list(tail))
        raise PlonedevError(
            f"{what} failed (exit {process.returncode}):\n{shown}" if shown else f"{what} failed",
            hint,
        )
    return "\n".join(output)


def error_tail(lines: list[str]) -> str:
    """The tool's error block (from its first ERR_PNPM/npm error line), a screenful."""
    start = max(0, len(lines) - _SHOWN_LINES)
    for index, line in enumerate(lines):
        if "ERR_PNPM" in line or line.startswith("npm error"):
            start = index
            break
    return "\n".join("  " + line for line in lines[start : start + _SHOWN_LINES])
