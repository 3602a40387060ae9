"""The one runner for long tool runs (uv, pnpm, npm): each line of output goes to a
callback while the tool runs (the progress display shows the latest), and a failure
raises ToolFailed with the tool's last lines, not only its exit code. Its line loop
(`follow`, `last_lines`) also serves the docker CLI's output that python-on-whales
streams."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from plonedev.errors import PlonedevError

LineSink = Callable[[str], None]
# Enough of a tool's end to hold its error block (uv's resolver, pnpm's ERR_PNPM_*).
SHOWN_LINES = 20


class ToolFailed(PlonedevError):
    """A tool exited non-zero; `details` holds its last lines, `output` all of them."""

    def __init__(self, message: str, hint: str, details: str, returncode: int, output: str):
        super().__init__(message, hint, details)
        self.returncode = returncode
        self.output = output


def run_streaming(
    argv: Sequence[str],
    *,
    cwd: Path,
    what: str,
    hint: str | Callable[[str], str],
    env: Mapping[str, str] | None = None,
    on_line: LineSink | None = None,
) -> str:
    """Run `argv` (stderr merged into stdout) and return its output.

    `what` names the step in errors ("uv installing the backend"); `hint` is the fix, or
    a function of the output that picks one. `env` replaces the environment when given.
    """
    output: list[str] = []
    try:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=None if env is None else dict(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        fix = hint(str(exc)) if callable(hint) else hint
        raise PlonedevError(f"{what}: cannot run {argv[0]}: {exc.strerror}", fix) from None
    assert process.stdout is not None
    with process:
        follow(process.stdout, on_line, output)
    text = "\n".join(output)
    if process.returncode != 0:
        fix = hint(text) if callable(hint) else hint
        details = "\n".join("  " + line for line in last_lines(output))
        raise ToolFailed(
            f"{what} failed (exit {process.returncode})", fix, details, process.returncode, text
        )
    return text


def follow(lines: Iterable[str], on_line: LineSink | None, output: list[str]) -> None:
    """Append each line (trailing whitespace stripped) to `output` as it comes, and pass
    the ones that are not blank to `on_line`. `output` is the caller's, so what came
    before a failure is there when the iteration raises."""
    for raw in lines:
        line = raw.rstrip()
        output.append(line)
        if on_line is not None and line:
            on_line(line)


def last_lines(output: Sequence[str], count: int = SHOWN_LINES) -> list[str]:
    """The last `count` lines that are not blank: the end of a failed tool's output."""
    return [line for line in output if line.strip()][-count:]
