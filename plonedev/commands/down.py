"""`plonedev down`: stop every service of the project; the data stays unless asked.

With `remove_data` the site's data goes too: the Docker runtime's named volumes, or the
native runtime's folders in var/ (the admin password stays, for the next site), after
an automatic snapshot of it unless `snapshot` is off. The CLI asks for confirmation
first, using `data_to_remove` to say what would go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from plonedev import registry
from plonedev.commands.snapshot import safety_snapshot
from plonedev.errors import PlonedevError
from plonedev.project_setup.find_project import RunningProject
from plonedev.report import Reporter
from plonedev.runtime.record import record_file
from plonedev.runtimes.registry import open_running_project, runtime_kind


@dataclass(frozen=True)
class DownResult:
    stopped: list[str]
    removed: list[str] = field(default_factory=list)  # volumes or folders deleted


def data_to_remove(start: Path, runtime: str | None = None) -> tuple[str, list[str]]:
    """The project's name and the data `down(remove_data=True)` would delete."""
    running = open_running_project(start, runtime)
    return running.project.name, runtime_kind(running.resolution.name).data(running)


def down(
    start: Path,
    reporter: Reporter,
    runtime: str | None = None,
    *,
    remove_data: bool = False,
    snapshot: bool = True,
) -> DownResult:
    running = open_running_project(start, runtime)
    if not remove_data:
        result = DownResult(running.runtime.down(running.project, reporter.event))
    else:
        if snapshot:
            safety_snapshot(running, "down --volumes", reporter)
        result = DownResult(*runtime_kind(running.resolution.name).remove_data(running, reporter))
    _forget(running)
    return result


def _forget(running: RunningProject) -> None:
    """Stopped in the runtime it was started in: no longer bound to it, nor listed."""
    paths = running.context.paths
    record = record_file(paths.state)
    if record.read().runtime in (None, running.resolution.name):
        record.stopped()
        registry.unregister(paths.root)


@dataclass(frozen=True)
class ProjectDown:
    name: str
    root: Path
    result: DownResult | None
    error: str = ""


def down_all(reporter: Reporter) -> list[ProjectDown]:
    """`down` in every project started on this machine, each in its own runtime."""
    done: list[ProjectDown] = []
    for entry in registry.entries():
        if not entry.root.is_dir():  # stale: its folder is gone
            registry.unregister(entry.root)
            continue
        try:
            done.append(ProjectDown(entry.name, entry.root, down(entry.root, reporter)))
        except PlonedevError as error:  # the others still stop
            done.append(ProjectDown(entry.name, entry.root, None, str(error)))
    return done
