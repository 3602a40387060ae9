"""`plonedev status`: what runs, and is it healthy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plonedev.project_setup.context import open_running_project
from plonedev.runtime.base import ServiceStatus


@dataclass(frozen=True)
class StatusResult:
    project: str
    runtime: str
    services: list[ServiceStatus]


def status(start: Path, runtime: str | None = None) -> StatusResult:
    running = open_running_project(start, runtime)
    statuses = running.runtime.status(running.project)
    return StatusResult(running.project.name, running.resolution.name, statuses)
