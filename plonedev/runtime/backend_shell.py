"""A command in the backend's own environment: the venv natively, the backend image with
Compose. `console`, `run` and `test` build their command lines against this, never
against a runtime, so each works the same in both."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Protocol

from plonedev.model import Service


@dataclass(frozen=True)
class ShellCommand:
    argv: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # added


class BackendShell(Protocol):
    zope_conf: str  # the backend's zope.conf, as a process in its environment sees it
    one_off: bool  # True: each command runs in a container of its own (Compose)

    def inside(self, host: Path) -> str:
        """`host` as the command sees it; a file outside the add-ons' folders is made
        readable to the next command() (mounted, with Compose)."""

    def serve(self, service: Service, *, debugpy_port: int | None = None) -> ShellCommand:
        """The backend service itself, as its supervisor runs it, but attached to this
        terminal (its ports published as usual); under debugpy listening on
        127.0.0.1:`debugpy_port` when given."""

    def command(
        self,
        argv: Sequence[str],
        *,
        workdir: Path | None = None,
        tty: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> ShellCommand:
        """`argv` run in the backend's environment (argv[0] a program it has: python,
        pytest...), in `workdir` (an add-on's folder)."""


def run_attached(command: ShellCommand) -> int:
    """Run with this terminal's stdin, stdout and stderr; the command's exit code.

    Ctrl-C is the command's (the terminal sends it to both): a console gets its
    KeyboardInterrupt, a backend in the foreground stops cleanly, and plonedev waits for
    it instead of leaving it behind."""
    process = subprocess.Popen(command.argv, cwd=command.cwd, env={**os.environ, **command.env})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # after the start: not inherited
    try:
        return process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
