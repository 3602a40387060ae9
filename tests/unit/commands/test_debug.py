"""`plonedev debug`: the supervised backend stops for the foreground one and comes back;
VS Code's launch.json gets the attach configuration with this runtime's path mappings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plonedev.commands import debug as debug_module
from plonedev.errors import PlonedevError
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from plonedev.project_setup.find_project import open_project
from plonedev.render.vscode import CONFIGURATION_NAME
from plonedev.report import QuietReporter
from plonedev.runtime.backend_shell import ShellCommand
from plonedev.runtime.docker_compose import Compose
from plonedev.runtime.docker_shell import DockerShell
from plonedev.runtime.native_shell import NativeShell
from tests.conftest import write_pyproject
from tests.unit.commands.fakes import running_with


class FakeRuntime:
    name = "fake"

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.calls: list[str] = []

    def backend_shell(self, project: Any) -> Any:
        return self.shell

    def stop(self, project: Any, names: tuple[str, ...], on_event: Any) -> list[str]:
        self.calls.append(f"stop {' '.join(names)}")
        return list(names)

    def up(self, project: Any, on_event: Any) -> None:
        self.calls.append(f"up {' '.join(project.service_names)}")


def _open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shell: Any) -> FakeRuntime:
    write_pyproject(tmp_path, 'storage = "zeo"\n')
    (tmp_path / "mx.ini").write_text("[settings]\n\n[acme.todo]\nurl = acme.todo\nvcs = fs\n")
    runtime = FakeRuntime(shell)
    opened = running_with(tmp_path, runtime)
    monkeypatch.setattr(debug_module, "open_running_project", lambda start, runtime: opened)
    return runtime


def _compose_shell(root: Path) -> DockerShell:
    (root / "compose").mkdir(exist_ok=True)
    (root / "compose" / "compose.yaml").write_text("services: {}\n")
    return DockerShell(Compose(root / "compose", "demo"), root, root / "sources", "backend")


def test_debug_stops_the_backend_only_and_starts_it_after_the_foreground_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = _open(tmp_path, monkeypatch, _compose_shell(tmp_path))
    seen: list[tuple[ShellCommand, list[str]]] = []
    monkeypatch.setattr(
        debug_module, "run_attached", lambda c: seen.append((c, list(runtime.calls))) or 130
    )
    assert debug_module.debug(tmp_path, QuietReporter(), debugpy_port=5679) == 130
    ((command, calls_then),) = seen
    assert calls_then == ["stop backend"]  # the ZEO server keeps running
    # up of the backend and what it needs: the running ZEO server is left alone by up.
    assert runtime.calls == ["stop backend", "up zeo backend"]
    run = list(command.argv[command.argv.index("run") :])
    backend_port = open_project(tmp_path).config.ports.backend  # as compose.yaml publishes it
    assert run[:5] == ["run", "--rm", "--no-deps", f"--publish=127.0.0.1:{backend_port}:8080",
                       "--publish=127.0.0.1:5679:5679"]  # fmt: skip
    assert "-T" not in run  # a terminal for pdb
    assert run[-6:-2] == ["-m", "debugpy", "--listen", "0.0.0.0:5679"]


def test_natively_the_backend_is_its_own_command_in_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open(tmp_path, monkeypatch, NativeShell(ProjectPaths(tmp_path)))
    commands: list[ShellCommand] = []
    monkeypatch.setattr(debug_module, "run_attached", lambda c: commands.append(c) or 0)
    debug_module.debug(tmp_path, QuietReporter())
    context = open_project(tmp_path)
    backend = build_project(context.config, context.paths, native_programs=False).service("backend")
    assert commands[0].argv == backend.command and commands[0].cwd == backend.cwd


def test_launch_json_maps_the_addons_into_the_container_and_keeps_other_configurations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open(tmp_path, monkeypatch, _compose_shell(tmp_path))
    launch = tmp_path / ".vscode" / "launch.json"
    launch.parent.mkdir()
    theirs = {"name": "their tests", "type": "debugpy", "request": "launch"}
    launch.write_text(json.dumps({"version": "0.2.0", "configurations": [theirs]}))
    debug_module.write_launch_json(tmp_path, 5678)
    debug_module.write_launch_json(tmp_path, 5690)  # again: replaced, not added
    document = json.loads(launch.read_text())
    assert document["configurations"][0] == theirs
    (ours,) = [c for c in document["configurations"] if c["name"] == CONFIGURATION_NAME]
    assert ours["connect"] == {"host": "127.0.0.1", "port": 5690}
    assert ours["pathMappings"] == [
        {"localRoot": "${workspaceFolder}/sources/acme.todo",
         "remoteRoot": "/app/project/sources/acme.todo"},
    ]  # fmt: skip


def test_natively_launch_json_needs_no_path_mappings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open(tmp_path, monkeypatch, NativeShell(ProjectPaths(tmp_path)))
    path = debug_module.write_launch_json(tmp_path, 5678)
    (ours,) = json.loads(path.read_text())["configurations"]
    assert "pathMappings" not in ours and ours["request"] == "attach"


def test_a_launch_json_with_comments_is_one_line_and_stays_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _open(tmp_path, monkeypatch, NativeShell(ProjectPaths(tmp_path)))
    launch = tmp_path / ".vscode" / "launch.json"
    launch.parent.mkdir()
    launch.write_text('{\n  // mine\n  "configurations": []\n}\n')
    before = launch.read_bytes()
    with pytest.raises(PlonedevError) as raised:
        debug_module.write_launch_json(tmp_path, 5678)
    assert "is not plain JSON" in raised.value.message
    assert launch.read_bytes() == before
