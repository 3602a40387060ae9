"""`plonedev console` and `plonedev run SCRIPT`: Python with `app` and `site` bound, in
the backend's own environment, on the running site's database.

With ZEO or RelStorage the console is one more client of the database server, next to
the running backend: that server must be up. A FileStorage is held (locked) by the
backend that runs on it, so the console opens it read-only (it sees what was committed
before it started), and `run`, whose script may commit, stops the backend for the
script and starts it again after, saying so.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from plonedev.config import Storage
from plonedev.errors import PlonedevError
from plonedev.model import Role, Service
from plonedev.project_setup.find_project import RunningProject
from plonedev.project_setup.paused import services_paused
from plonedev.report import Reporter
from plonedev.runtime.backend_shell import BackendShell, ShellCommand, run_attached
from plonedev.runtime.protocol import UP_STATES
from plonedev.runtimes.registry import open_running_project

CONSOLE_SCRIPT = Path(__file__).parents[1] / "backend" / "scripts" / "console.py"

# The database server a storage needs, by its role.
_SERVER = {
    Storage.ZEO: (Role.ZEO, "the ZEO server"),
    Storage.RELSTORAGE: (Role.POSTGRES, "PostgreSQL"),
}


@dataclass(frozen=True)
class ConsoleAccess:
    """How a console reaches the database, decided before anything runs."""

    read_only: bool  # a FileStorage the running backend holds
    stop_backend: bool  # `run` on such a FileStorage: stop the backend around the script


def console(start: Path, reporter: Reporter, *, runtime: str | None = None) -> int:
    """An interactive console (or, with stdin piped, the code read from it); its exit code."""
    running = open_running_project(start, runtime)
    access = _access(running, writes=False)
    if access.read_only:
        reporter.info(
            "The running backend holds Data.fs: this console opens it read-only "
            "(use `plonedev run SCRIPT` to write)"
        )
    shell = running.runtime.backend_shell(running.project)
    return run_attached(_command(running, shell, access, ["debug"], tty=sys.stdin.isatty()))


def run_script(
    start: Path,
    script: Path,
    args: Sequence[str],
    reporter: Reporter,
    *,
    runtime: str | None = None,
) -> int:
    """SCRIPT run with `app` and `site` bound; its exit code."""
    if not script.is_file():
        raise PlonedevError(f"no script at {script}", "give the path of a Python file")
    running = open_running_project(start, runtime)
    access = _access(running, writes=True)
    shell = running.runtime.backend_shell(running.project)
    command = _command(running, shell, access, ["run", shell.inside(script.resolve()), *args])
    with _backend_stopped(running, reporter, access.stop_backend):
        return run_attached(command)


def _access(running: RunningProject, *, writes: bool) -> ConsoleAccess:
    config = running.context.config
    states = {s.name: s.state for s in running.runtime.status(running.project)}
    if config.storage is Storage.FILESTORAGE:
        held = states.get(_backend(running).name) in UP_STATES
        return ConsoleAccess(read_only=held and not writes, stop_backend=held and writes)
    role, what = _SERVER[config.storage]
    server = running.project.by_role(role)
    assert server is not None  # the model has the storage's server
    if states.get(server.name) not in UP_STATES:
        raise PlonedevError(
            f"{what} ({server.name}) is not running: the console reads the site from it",
            "start it with `plonedev up`",
        )
    return ConsoleAccess(read_only=False, stop_backend=False)


def _command(
    running: RunningProject,
    shell: BackendShell,
    access: ConsoleAccess,
    mode: list[str],
    *,
    tty: bool = False,
) -> ShellCommand:
    config = running.context.config
    argv = ["python", shell.inside(CONSOLE_SCRIPT), shell.zope_conf, config.site_id]
    argv += [config.admin_user, *(["--read-only"] if access.read_only else []), *mode]
    return shell.command(argv, tty=tty)


@contextmanager
def _backend_stopped(running: RunningProject, reporter: Reporter, stop: bool) -> Iterator[None]:
    if not stop:
        yield
        return
    reporter.info("Stopping the backend for the script (it holds Data.fs); it starts again after")
    with services_paused(running, (_backend(running).name,), reporter.event):
        yield


def _backend(running: RunningProject) -> Service:
    backend = running.project.by_role(Role.BACKEND)
    assert backend is not None  # every project has one
    return backend
