"""The runtimes by name, registered once, and the project opened in the one chosen."""

from __future__ import annotations

from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.model_builder import build_project
from plonedev.project_setup.find_project import ProjectContext, RunningProject, open_project
from plonedev.runtime import select
from plonedev.runtime.record import record_file
from plonedev.runtime.select import Resolution
from plonedev.runtimes.docker import Docker
from plonedev.runtimes.kind import RuntimeKind
from plonedev.runtimes.native import Native

RUNTIMES: dict[str, RuntimeKind] = {kind.name: kind for kind in (Native(), Docker())}


def runtime_kind(name: str) -> RuntimeKind:
    kind = RUNTIMES.get(name)
    if kind is None:
        raise PlonedevError(f"unknown runtime {name!r}", f"use one of {', '.join(RUNTIMES)}")
    return kind


def open_running_project(start: Path, runtime: str | None) -> RunningProject:
    """The project in the runtime it was started in (--runtime aside)."""
    context = open_project(start)
    recorded = record_file(context.paths.state).read().runtime
    return running_in(
        context, select.resolve(runtime, context.config.runtime, recorded=recorded, known=RUNTIMES)
    )


def running_in(context: ProjectContext, resolution: Resolution) -> RunningProject:
    kind = runtime_kind(resolution.name)
    project = build_project(context.config, context.paths, native_programs=kind.native_programs)
    return RunningProject(context, project, kind.services(context.paths), resolution)
