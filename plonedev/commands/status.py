"""`plonedev status`: what runs, and is it healthy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plonedev.runtime.protocol import ServiceStatus
from plonedev.runtimes.registry import open_running_project


@dataclass(frozen=True)
class StatusResult:
    project: str
    runtime: str
    services: list[ServiceStatus]


def status(start: Path, runtime: str | None = None) -> StatusResult:
    running = open_running_project(start, runtime)
    statuses = running.runtime.status(running.project)
    return StatusResult(running.project.name, running.resolution.name, statuses)
