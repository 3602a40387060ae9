"""console and run decide, before anything runs, how they reach the site's database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from plonedev.commands import console as console_module
from plonedev.errors import PlonedevError
from plonedev.model import Project
from plonedev.report import QuietReporter
from plonedev.runtime.backend_shell import ShellCommand
from plonedev.runtime.protocol import ServiceStatus, State
from tests.conftest import write_pyproject
from tests.unit.commands.fakes import running_with


class RecordingShell:
    one_off = False
    zope_conf = "/zope.conf"

    def inside(self, host: Path) -> str:
        return f"<{host.name}>"

    def command(self, argv: Sequence[str], **options: Any) -> ShellCommand:
        return ShellCommand(tuple(argv), Path("/"))


@dataclass
class FakeRuntime:
    running: set[str]
    calls: list[str] = field(default_factory=list)
    name: str = "fake"

    def status(self, project: Project) -> list[ServiceStatus]:
        return [
            ServiceStatus(s.name, State.RUNNING if s.name in self.running else State.STOPPED)
            for s in project.services
        ]

    def backend_shell(self, project: Project) -> RecordingShell:
        return RecordingShell()

    def stop(self, project: Project, names: tuple[str, ...], on_event: Any) -> list[str]:
        self.calls.append(f"stop {' '.join(names)}")
        return list(names)

    def up(self, project: Project, on_event: Any) -> None:
        self.calls.append(f"up {' '.join(project.service_names)}")


@pytest.fixture
def run_attached(monkeypatch: pytest.MonkeyPatch) -> list[ShellCommand]:
    commands: list[ShellCommand] = []

    def record(command: ShellCommand) -> int:
        commands.append(command)
        return 7

    monkeypatch.setattr(console_module, "run_attached", record)
    return commands


def _project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, storage: str, running: set[str]
) -> FakeRuntime:
    write_pyproject(tmp_path, f'storage = "{storage}"\n')
    runtime = FakeRuntime(running)
    opened = running_with(tmp_path, runtime)
    monkeypatch.setattr(console_module, "open_running_project", lambda start, runtime: opened)
    return runtime


def test_the_console_opens_a_filestorage_held_by_the_backend_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_attached: list[ShellCommand]
) -> None:
    runtime = _project(tmp_path, monkeypatch, "filestorage", {"backend"})
    assert console_module.console(tmp_path, QuietReporter()) == 7
    (command,) = run_attached
    assert command.argv == (
        "python", "<console.py>", "/zope.conf", "Plone", "admin", "--read-only", "debug",
    )  # fmt: skip
    assert runtime.calls == []  # the backend keeps running


def test_the_console_opens_a_filestorage_nobody_holds_for_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_attached: list[ShellCommand]
) -> None:
    _project(tmp_path, monkeypatch, "filestorage", set())
    console_module.console(tmp_path, QuietReporter())
    assert "--read-only" not in run_attached[0].argv


def test_run_on_a_held_filestorage_stops_the_backend_around_the_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_attached: list[ShellCommand]
) -> None:
    runtime = _project(tmp_path, monkeypatch, "filestorage", {"backend"})
    script = tmp_path / "retitle.py"
    script.write_text("site.setTitle('x')\n")
    seen: list[list[str]] = []
    monkeypatch.setattr(
        console_module,
        "run_attached",
        lambda command: seen.append(list(runtime.calls)) or 3,
    )
    code = console_module.run_script(tmp_path, script, ["a", "--b"], QuietReporter())
    assert code == 3
    assert seen == [["stop backend"]]  # stopped while the script ran
    assert runtime.calls == ["stop backend", "up backend"]


def test_run_starts_the_backend_again_when_the_script_cannot_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = _project(tmp_path, monkeypatch, "filestorage", {"backend"})
    script = tmp_path / "s.py"
    script.write_text("")

    def broken(command: ShellCommand) -> int:
        raise OSError("docker: not found")

    monkeypatch.setattr(console_module, "run_attached", broken)
    with pytest.raises(OSError):
        console_module.run_script(tmp_path, script, [], QuietReporter())
    assert runtime.calls == ["stop backend", "up backend"]


def test_run_passes_the_script_and_its_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_attached: list[ShellCommand]
) -> None:
    runtime = _project(tmp_path, monkeypatch, "zeo", {"zeo", "backend"})
    script = tmp_path / "s.py"
    script.write_text("")
    console_module.run_script(tmp_path, script, ["a", "--b"], QuietReporter())
    assert run_attached[0].argv[-4:] == ("run", "<s.py>", "a", "--b")
    assert runtime.calls == []  # ZEO: one more client, the backend keeps running


@pytest.mark.parametrize(("storage", "server"), [("zeo", "zeo"), ("relstorage", "postgres")])
def test_a_database_server_that_is_down_is_one_line_and_nothing_runs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run_attached: list[ShellCommand],
    storage: str,
    server: str,
) -> None:
    _project(tmp_path, monkeypatch, storage, {"backend"})
    with pytest.raises(PlonedevError) as raised:
        console_module.console(tmp_path, QuietReporter())
    assert f"({server}) is not running" in raised.value.message
    assert "plonedev up" in raised.value.hint
    assert run_attached == []


def test_run_without_the_script_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_attached: list[ShellCommand]
) -> None:
    runtime = _project(tmp_path, monkeypatch, "filestorage", {"backend"})
    with pytest.raises(PlonedevError) as raised:
        console_module.run_script(tmp_path, tmp_path / "nope.py", [], QuietReporter())
    assert "no script at" in raised.value.message
    assert run_attached == [] and runtime.calls == []
