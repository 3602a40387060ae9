"""`plonedev logs`: the services' output, prefixed by service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from plonedev.commands.context import open_running_project
from plonedev.errors import PlonedevError
from plonedev.runtime.base import LogLine


def logs(
    start: Path,
    services: tuple[str, ...],
    *,
    follow: bool,
    tail: int | None,
    runtime: str | None = None,
) -> Iterator[LogLine]:
    running = open_running_project(start, runtime)
    names = running.project.service_names
    unknown = [name for name in services if name not in names]
    if unknown:
        raise PlonedevError(
            f"no service named {unknown[0]!r} in this project",
            f"choose from {', '.join(names)}",
        )
    return running.runtime.logs(running.project, services, follow, tail)
