"""BackendControl decides what to restart, start and stop: checked against a runtime that
records the calls (the real thing runs in tests/integration/test_addons_native.py)."""

from __future__ import annotations

from pathlib import Path

from plonedev.addons.backend_control import BackendControl
from plonedev.model import Project, Service
from tests.unit.commands.fakes import RecordingRuntime

PROJECT = Project(
    "p",
    Path("/p"),
    (
        Service("zeo", "zeo", ("runzeo",), Path("/p")),
        Service("backend", "backend", ("runwsgi",), Path("/p"), depends_on=("zeo",)),
    ),
)


def test_a_running_backend_is_restarted_and_nothing_is_stopped() -> None:
    runtime = RecordingRuntime(alive={"zeo", "backend"})
    control = BackendControl(runtime, PROJECT, lambda event: None)
    control.restart()
    control.undo_restart()
    assert control.settle() == []
    assert runtime.calls == ["restart backend", "restart backend"]


def test_a_stopped_project_is_started_for_the_change_and_stopped_again() -> None:
    runtime = RecordingRuntime()
    control = BackendControl(runtime, PROJECT, lambda event: None)
    control.ensure_running()
    control.restart()
    assert control.settle() == ["zeo", "backend"]
    assert runtime.calls == ["up zeo backend", "restart backend", "stop backend zeo"]
    assert runtime.alive == set()


def test_undo_restarts_only_after_a_restart() -> None:
    runtime = RecordingRuntime(alive={"zeo", "backend"})
    control = BackendControl(runtime, PROJECT, lambda event: None)
    control.undo_restart()
    assert runtime.calls == []


def test_a_new_image_recreates_the_backend_through_up() -> None:
    runtime = RecordingRuntime(alive={"zeo", "backend"}, up_recreates=True)
    control = BackendControl(runtime, PROJECT, lambda event: None, recreate=True)
    control.restart()
    assert runtime.calls == ["up zeo backend"]  # a new container: no restart on top


def test_an_unchanged_container_is_restarted_to_read_its_files() -> None:
    runtime = RecordingRuntime(alive={"zeo", "backend"})
    control = BackendControl(runtime, PROJECT, lambda event: None, recreate=True)
    control.restart()
    assert runtime.calls == ["up zeo backend", "restart backend"]
