"""What every runtime offers, so commands never care which one runs the services."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from plonedev.model import SITE_JOB, Project
from plonedev.runtime.backend_shell import BackendShell


class State(StrEnum):
    RUNNING = "running"  # up and healthy (or no health check)
    STARTING = "starting"  # up, health check not passing yet
    UNHEALTHY = "unhealthy"
    EXITED = "exited"  # was started, is gone
    STOPPED = "stopped"  # not started


# The states of a service that has a process (or container) up.
UP_STATES = frozenset({State.RUNNING, State.STARTING, State.UNHEALTHY})


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: State
    pid: int | None = None
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ServiceEvent:
    """Progress of `up`/`down`, for the UI: one per service and step."""

    service: str
    action: str  # "initialising", "starting", "healthy", "already running", "stopped"
    seconds: float = 0.0
    detail: str = ""


EventSink = Callable[[ServiceEvent], None]

# A runtime that creates the site itself (Docker: the SITE_JOB container before the
# backend starts) reports it with this event.
SITE_CREATED = "created"


def is_site_created(event: ServiceEvent) -> bool:
    return event.service == SITE_JOB and event.action == SITE_CREATED


@dataclass(frozen=True)
class LogLine:
    service: str
    text: str


class Runtime(Protocol):
    name: str

    def up(self, project: Project, on_event: EventSink) -> None:
        """Start what is not running, in dependency order; return when all are healthy."""

    def down(self, project: Project, on_event: EventSink) -> list[str]:
        """Stop everything this project runs; return the names of what was stopped."""

    def restart(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> None:
        """Stop and start the named services, waiting for health."""

    def stop(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> list[str]:
        """Stop the named services (also ones no longer in the project); return the names
        of those that were running."""

    def status(self, project: Project) -> list[ServiceStatus]:
        """One status per service of the project."""

    def backend_shell(self, project: Project) -> BackendShell:
        """Where commands run in the backend's environment (console, run, test)."""

    def logs(
        self, project: Project, services: tuple[str, ...], follow: bool, tail: int | None
    ) -> Iterator[LogLine]:
        """Log lines of the named services (all when empty), optionally following."""
