"""The backend's environment natively: the project's venv, on this machine's files."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from plonedev.backend.environment import find_uv, venv_script
from plonedev.errors import PlonedevError
from plonedev.model import Service
from plonedev.paths import ProjectPaths
from plonedev.runtime.backend_shell import ShellCommand
from plonedev.streaming import run_streaming


class NativeShell:
    one_off = False

    def __init__(self, paths: ProjectPaths) -> None:
        self.paths = paths
        self.zope_conf = str(paths.instance / "etc" / "zope.conf")

    def inside(self, host: Path) -> str:
        return str(host)

    def serve(self, service: Service, *, debugpy_port: int | None = None) -> ShellCommand:
        argv = service.command
        if debugpy_port is not None:
            python = str(venv_script(self.paths.venv, "python"))
            _ensure_debugpy(python, self.paths.root)
            argv = (python, "-m", "debugpy", "--listen", f"127.0.0.1:{debugpy_port}", *argv)
        return ShellCommand(argv, service.cwd, env=service.env)

    def command(
        self,
        argv: Sequence[str],
        *,
        workdir: Path | None = None,
        tty: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> ShellCommand:
        program = venv_script(self.paths.venv, argv[0])
        if not program.exists():
            raise PlonedevError(
                f"{program} is missing: the backend is not installed here",
                "run `plonedev up` first, which installs it",
            )
        added = {"VIRTUAL_ENV": str(self.paths.venv), **(env or {})}
        return ShellCommand((str(program), *argv[1:]), workdir or self.paths.root, env=added)


def _ensure_debugpy(python: str, root: Path) -> None:
    """debugpy in the venv: installed on first use (the next install of the backend's
    requirements may take it out again; the next debug puts it back)."""
    found = subprocess.run([python, "-c", "import debugpy"], capture_output=True, check=False)
    if found.returncode != 0:
        run_streaming(
            [find_uv(), "pip", "install", "--python", python, "debugpy"],
            cwd=root,
            what="uv installing debugpy",
            hint="check the package index, or install debugpy into .plonedev/venv",
        )
