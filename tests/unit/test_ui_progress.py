"""The progress display: a live line on a terminal, plain lines anywhere else."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console
from rich.text import Text

from plonedev.ui import ConsoleReporter


def _plain() -> tuple[ConsoleReporter, io.StringIO]:
    out = io.StringIO()
    return ConsoleReporter(Console(file=out, force_terminal=False, width=200)), out


def test_without_a_terminal_a_step_is_a_start_line_and_an_end_line() -> None:
    reporter, out = _plain()
    with reporter.step("Installing the backend (uv)") as step:
        step.update("Resolved 249 packages in 1.2s")
        step.update("Installed 249 packages in 5.1s")
        step.done("Installed the backend")
    lines = out.getvalue().splitlines()
    assert lines[0] == "Installing the backend (uv) ..."
    assert lines[1].startswith("✓ Installed the backend (")
    assert lines[1].endswith(" s)")
    assert len(lines) == 2  # the tool's lines are for the live display only


def test_without_a_terminal_a_failed_step_says_so() -> None:
    reporter, out = _plain()
    with pytest.raises(RuntimeError), reporter.step("Installing the frontend (pnpm)"):
        raise RuntimeError("pnpm failed")
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("✗ Installing the frontend (pnpm) (")
    assert not any(line.startswith("✓") for line in lines)


def test_on_a_terminal_the_live_line_has_the_step_its_seconds_and_the_last_line() -> None:
    out = io.StringIO()
    reporter = ConsoleReporter(Console(file=out, force_terminal=True, width=120))
    with reporter.step("Building the backend image") as step:
        step.update("#7 12.3 Installed 249 packages")
        time.sleep(1.3)  # the live line refreshes itself, several times a second
    shown = Text.from_ansi(out.getvalue()).plain
    assert "Building the backend image 1 s  #7 12.3 Installed 249 packages" in shown
    assert "✓ Building the backend image (1." in shown
