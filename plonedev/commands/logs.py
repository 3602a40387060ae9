"""`plonedev logs`: the services' output, prefixed by service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from plonedev.project_setup.find_project import require_services
from plonedev.runtime.protocol import LogLine
from plonedev.runtimes.registry import open_running_project


def logs(
    start: Path,
    services: tuple[str, ...],
    *,
    follow: bool,
    tail: int | None,
    runtime: str | None = None,
) -> Iterator[LogLine]:
    running = open_running_project(start, runtime)
    require_services(running.project, services)
    return running.runtime.logs(running.project, services, follow, tail)
