"""Where console, run and test run: the venv natively, a one-off container with Compose."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from plonedev.errors import PlonedevError
from plonedev.paths import ProjectPaths
from plonedev.runtime.backend_shell import ShellCommand, run_attached
from plonedev.runtime.docker_compose import Compose
from plonedev.runtime.docker_shell import DockerShell
from plonedev.runtime.native_shell import NativeShell


def _native(root: Path) -> NativeShell:
    paths = ProjectPaths(root)
    paths.venv_bin.mkdir(parents=True)
    (paths.venv_bin / "python").touch()
    return NativeShell(paths)


def test_natively_a_program_is_the_venvs_and_runs_in_the_given_folder(tmp_path: Path) -> None:
    shell = _native(tmp_path)
    addon = tmp_path / "sources" / "acme.todo"
    command = shell.command(["python", "-c", "pass"], workdir=addon, env={"X": "1"})
    venv = tmp_path / ".plonedev" / "venv"
    assert command.argv == (str(venv / "bin" / "python"), "-c", "pass")
    assert command.cwd == addon
    assert command.env == {"VIRTUAL_ENV": str(venv), "X": "1"}
    assert shell.inside(addon / "x.py") == str(addon / "x.py")
    assert shell.zope_conf == str(tmp_path / ".plonedev" / "instance" / "etc" / "zope.conf")


def test_natively_a_missing_backend_says_to_run_up(tmp_path: Path) -> None:
    shell = NativeShell(ProjectPaths(tmp_path))
    with pytest.raises(PlonedevError) as raised:
        shell.command(["python"])
    assert "not installed" in raised.value.message and "plonedev up" in raised.value.hint


def _docker(root: Path) -> DockerShell:
    (root / "compose").mkdir()
    (root / "compose" / "compose.yaml").write_text("services: {}\n")
    return DockerShell(Compose(root / "compose", "demo"), root, root / "sources", "backend")


def test_with_compose_an_addon_folder_is_its_mount_and_other_files_are_mounted(
    tmp_path: Path,
) -> None:
    shell = _docker(tmp_path)
    script = tmp_path / "scripts" / "retitle.py"
    assert shell.inside(tmp_path / "sources" / "acme.todo") == "/app/project/sources/acme.todo"
    assert shell.inside(script) == "/opt/plonedev/0/retitle.py"
    command = shell.command(
        ["python", "/opt/plonedev/0/retitle.py"],
        workdir=tmp_path / "sources" / "acme.todo",
        env={"COVERAGE_FILE": "/tmp/.coverage"},
    )
    assert command.argv[:8] == (
        "docker", "compose", "--project-name", "demo", "--project-directory",
        str(tmp_path / "compose"), "--file", str(tmp_path / "compose" / "compose.yaml"),
    )  # fmt: skip
    run = list(command.argv[command.argv.index("run") :])
    assert run == [
        "run", "--rm", "--no-deps", "-T",
        "--workdir", "/app/project/sources/acme.todo",
        "--volume", f"{script}:/opt/plonedev/0/retitle.py:ro",
        "--env", "COVERAGE_FILE=/tmp/.coverage",
        "backend", "python", "/opt/plonedev/0/retitle.py",
    ]  # fmt: skip


def test_with_compose_a_terminal_gets_a_tty_and_the_override_file_counts(tmp_path: Path) -> None:
    shell = _docker(tmp_path)
    (tmp_path / "compose" / "compose.override.yaml").write_text("services: {}\n")
    command = shell.command(["python"], tty=True)
    assert "-T" not in command.argv
    assert str(tmp_path / "compose" / "compose.override.yaml") in command.argv


def test_with_compose_a_project_never_up_says_to_run_up(tmp_path: Path) -> None:
    shell = DockerShell(Compose(tmp_path / "compose", "demo"), tmp_path, tmp_path, "backend")
    with pytest.raises(PlonedevError) as raised:
        shell.command(["python"])
    assert "compose.yaml is missing" in raised.value.message


def test_an_attached_command_gives_its_exit_code(tmp_path: Path) -> None:
    command = ShellCommand(
        (sys.executable, "-c", "import os, sys; sys.exit(int(os.environ['CODE']))"),
        tmp_path,
        env={"CODE": "3"},
    )
    assert run_attached(command) == 3
