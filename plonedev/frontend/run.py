"""Run the Node tools (npm, pnpm) through the one streaming runner, in Node's environment."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from plonedev.streaming import LineSink, run_streaming

__all__ = ["LineSink", "run_tool"]


def run_tool(
    argv: Sequence[str],
    *,
    cwd: Path,
    what: str,
    hint: str,
    env: Mapping[str, str] | None = None,
    on_line: LineSink | None = None,
) -> str:
    """Run `argv` with `env` added to this process's environment; return its output."""
    return run_streaming(
        argv, cwd=cwd, what=what, hint=hint, env={**os.environ, **(env or {})}, on_line=on_line
    )
