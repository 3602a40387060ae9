"""`plonedev down`: stop every service of the project; the data stays."""

from __future__ import annotations

from pathlib import Path

from plonedev.commands.context import open_running_project
from plonedev.report import Reporter


def down(start: Path, reporter: Reporter, runtime: str | None = None) -> list[str]:
    running = open_running_project(start, runtime)
    return running.runtime.down(running.project, reporter.event)
