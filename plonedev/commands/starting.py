"""The runtime and the ports `up` starts a project with.

A project that runs stays in its runtime and on its ports: `up` in another runtime is
refused with one line (two copies would fight over the data and the ports). One that
does not run gets the runtime chosen as usual and, for each default port taken by now,
the next free one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.model_builder import build_project
from plonedev.project_setup.find_project import ProjectContext, RunningProject, open_project
from plonedev.runtime import select
from plonedev.runtime.port_choice import PortMove, choose_ports, with_ports
from plonedev.runtime.protocol import UP_STATES
from plonedev.runtime.record import record_file
from plonedev.runtimes.registry import RUNTIMES, running_in, runtime_kind


@dataclass(frozen=True)
class Start:
    running: RunningProject
    ports: dict[str, int]  # the default ports' choice, to record
    moves: tuple[PortMove, ...]  # the ports that are not their defaults


def open_to_start(start: Path, runtime: str | None) -> Start:
    context = open_project(start)
    record = record_file(context.paths.state).read()
    runs = record.runtime if record.runtime and _runs_in(record.runtime, context) else None
    resolution = select.resolve(runtime, context.config.runtime, recorded=runs, known=RUNTIMES)
    wanted = select.explicit_choice(runtime, context.config.runtime)
    if runs and wanted and wanted != runs:
        flag = f" --runtime {wanted}" if runtime else ""
        raise PlonedevError(
            f"{context.config.name} already runs in the {runs} runtime",
            f"stop it with `plonedev down` first, then run `plonedev up{flag}`",
        )
    if runs:  # its ports are its own, though they look taken
        ports, moves = choose_ports(context.config, record.ports, is_free=_its_own)
    else:
        ports, moves = choose_ports(context.config, record.ports)
    context = ProjectContext(context.paths, with_ports(context.config, ports))
    return Start(running_in(context, resolution), ports, tuple(moves))


def _its_own(host: str, port: int) -> bool:
    return True


def _runs_in(runtime: str, context: ProjectContext) -> bool:
    """Does anything of the project run in `runtime`?"""
    try:
        project = build_project(context.config, context.paths, native_programs=False)
        statuses = runtime_kind(runtime).services(context.paths).status(project)
    except PlonedevError:  # an engine gone since: nothing runs there
        return False
    return any(status.state in UP_STATES for status in statuses)
