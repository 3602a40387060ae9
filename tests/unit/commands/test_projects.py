"""The runtime and ports a project was started with stick; the machine's project list."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from plonedev import registry
from plonedev.commands.doctor import doctor
from plonedev.commands.ls import GONE, list_projects
from plonedev.commands.starting import open_to_start
from plonedev.errors import PlonedevError
from plonedev.paths import ProjectPaths
from plonedev.runtime.processes import process_start_ticks
from plonedev.runtime.record import record_file
from plonedev.runtime.state import RunningService, StateFile
from plonedev.runtimes.registry import open_running_project
from tests.conftest import write_pyproject


@pytest.fixture(autouse=True)
def _own_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(registry.STATE_DIR_VARIABLE, str(tmp_path / "state"))


def _project(tmp_path: Path, section: str = "") -> Path:
    root = tmp_path / "project"
    root.mkdir()
    write_pyproject(root, section)
    return root


def _pretend_the_backend_runs_natively(root: Path) -> None:
    """This test process stands in for the native backend: alive, with its own pid."""
    paths = ProjectPaths(root)
    ticks = process_start_ticks(os.getpid())
    assert ticks is not None
    service = RunningService("backend", os.getpid(), ticks, time.time(), ("zope",))
    StateFile(paths.run / "native.json").put(service)
    record_file(paths.state).started("native", {"backend": 8085})


def test_commands_act_on_the_recorded_runtime_and_ports(tmp_path: Path) -> None:
    root = _project(tmp_path, 'runtime = "docker"\n')
    _pretend_the_backend_runs_natively(root)
    running = open_running_project(root, None)
    assert running.resolution.name == "native"
    assert running.project.service("backend").url == "http://127.0.0.1:8085/Plone"
    assert doctor(root).runtime == "native"


def test_up_in_the_other_runtime_while_one_runs_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _pretend_the_backend_runs_natively(root)
    with pytest.raises(PlonedevError, match="demo already runs in the native runtime") as caught:
        open_to_start(root, "docker")
    assert "`plonedev down`" in caught.value.hint
    # Without --runtime, `up` goes on in the runtime it runs in, on its ports.
    start = open_to_start(root, None)
    assert start.running.resolution.name == "native"
    assert start.ports == {"backend": 8085}


def test_a_record_whose_services_are_gone_no_longer_binds_up(tmp_path: Path) -> None:
    root = _project(tmp_path)
    record_file(ProjectPaths(root).state).started("native", {})
    assert open_to_start(root, "docker").running.resolution.name == "docker"


def test_ls_shows_a_project_whose_folder_is_gone_once(tmp_path: Path) -> None:
    root = _project(tmp_path)
    registry.register(registry.Entry("demo", root, "native"))
    (root / "pyproject.toml").unlink()
    [listed] = list_projects()
    assert (listed.name, listed.state) == ("demo", GONE)
    assert list_projects() == []


def test_ls_drops_a_project_that_no_longer_runs(tmp_path: Path) -> None:
    root = _project(tmp_path, 'runtime = "native"\n')
    registry.register(registry.Entry("demo", root, "native"))
    [listed] = list_projects()
    assert listed.state == "stopped"
    assert registry.entries() == []
