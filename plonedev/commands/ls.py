"""`plonedev ls`: the plonedev projects started on this machine, and what runs of each.

Entries that are stale (the folder is gone, or nothing of the project runs any more)
are shown once, as such, and dropped from the list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from plonedev import registry
from plonedev.errors import PlonedevError
from plonedev.runtime.protocol import UP_STATES
from plonedev.runtimes.registry import open_running_project

RUNNING, PARTIAL, STOPPED, GONE = "running", "partly running", "stopped", "gone"


@dataclass(frozen=True)
class ListedProject:
    name: str
    root: Path
    runtime: str
    state: str
    urls: dict[str, str] = field(default_factory=dict)  # of the services that run
    detail: str = ""


def list_projects() -> list[ListedProject]:
    return [_listed(entry) for entry in registry.entries()]


def _listed(entry: registry.Entry) -> ListedProject:
    if not (entry.root / "pyproject.toml").is_file():
        registry.unregister(entry.root)
        return ListedProject(entry.name, entry.root, entry.runtime, GONE)
    try:
        running = open_running_project(entry.root, None)
        statuses = running.runtime.status(running.project)
    except PlonedevError as error:
        return ListedProject(entry.name, entry.root, entry.runtime, STOPPED, detail=str(error))
    up = [status for status in statuses if status.state in UP_STATES]
    if not up:
        registry.unregister(entry.root)
    state = RUNNING if up and len(up) == len(statuses) else PARTIAL if up else STOPPED
    urls = {status.name: status.url for status in up if status.url}
    return ListedProject(running.project.name, entry.root, running.resolution.name, state, urls)
