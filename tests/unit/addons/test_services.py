"""BackendControl decides what to restart, start and stop: checked against a runtime that
records the calls (the real thing runs in tests/integration/test_addons_native.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from plonedev.addons.services import BackendControl
from plonedev.model import Project, Service
from plonedev.runtime.base import EventSink, LogLine, ServiceEvent, ServiceStatus, State

PROJECT = Project(
    "p",
    Path("/p"),
    (
        Service("zeo", "zeo", ("runzeo",), Path("/p")),
        Service("backend", "backend", ("runwsgi",), Path("/p"), depends_on=("zeo",)),
    ),
)


@dataclass
class Recorder:
    name: str = "fake"
    alive: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    up_recreates: bool = False  # `up` makes a new backend (a new pid), as Compose does
    pid: int = 1

    def up(self, project: Project, on_event: EventSink) -> None:
        self.calls.append("up")
        if self.up_recreates or "backend" not in self.alive:
            self.pid += 1
        self.alive |= set(project.service_names)

    def down(self, project: Project, on_event: EventSink) -> list[str]:
        raise AssertionError("not used")

    def restart(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> None:
        self.calls.append(f"restart {' '.join(names)}")
        on_event(ServiceEvent("backend", "healthy"))

    def stop(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> list[str]:
        self.calls.append(f"stop {' '.join(sorted(names))}")
        self.alive -= set(names)
        return list(names)

    def status(self, project: Project) -> list[ServiceStatus]:
        return [
            ServiceStatus(
                s.name,
                State.RUNNING if s.name in self.alive else State.STOPPED,
                pid=self.pid if s.name in self.alive else None,
            )
            for s in project.services
        ]

    def logs(
        self, project: Project, services: tuple[str, ...], follow: bool, tail: int | None
    ) -> Iterator[LogLine]:
        return iter(())


def test_a_running_backend_is_restarted_and_nothing_is_stopped() -> None:
    runtime = Recorder(alive={"zeo", "backend"})
    control = BackendControl(runtime, PROJECT, lambda event: None)
    control.restart()
    control.undo_restart()
    assert control.settle() == []
    assert runtime.calls == ["restart backend", "restart backend"]


def test_a_stopped_project_is_started_for_the_change_and_stopped_again() -> None:
    runtime = Recorder()
    control = BackendControl(runtime, PROJECT, lambda event: None)
    control.ensure_running()
    control.restart()
    assert control.settle() == ["zeo", "backend"]
    assert runtime.calls == ["up", "restart backend", "stop backend zeo"]
    assert runtime.alive == set()


def test_undo_restarts_only_after_a_restart() -> None:
    runtime = Recorder(alive={"zeo", "backend"})
    control = BackendControl(runtime, PROJECT, lambda event: None)
    control.undo_restart()
    assert runtime.calls == []


def test_a_new_image_recreates_the_backend_through_up() -> None:
    runtime = Recorder(alive={"zeo", "backend"}, up_recreates=True)
    control = BackendControl(runtime, PROJECT, lambda event: None, recreate=True)
    control.restart()
    assert runtime.calls == ["up"]  # a new container: no restart on top


def test_an_unchanged_container_is_restarted_to_read_its_files() -> None:
    runtime = Recorder(alive={"zeo", "backend"})
    control = BackendControl(runtime, PROJECT, lambda event: None, recreate=True)
    control.restart()
    assert runtime.calls == ["up", "restart backend"]
