"""Stand-ins for what the commands drive: a runtime, a backend environment and a Plone
site. They record what was asked, so the unit tests check the commands' decisions and
rollbacks in milliseconds; the real things run in tests/integration.

The runtime and the environment take the native ones' places in the native runtime the
commands look up (plonedev.runtimes.registry.RUNTIMES, conftest.FakeNative): the commands
run as they do for a native project. The site is a small HTTP
server on loopback answering the parts of plone.restapi plonedev calls, so the commands'
own HTTP code runs too.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from plonedev.addons.environment import DistInfo, EnvironmentSnapshot
from plonedev.errors import PlonedevError, ServiceError
from plonedev.model import Project
from plonedev.paths import ProjectPaths
from plonedev.project_setup.find_project import ProjectContext
from plonedev.report import QuietReporter, Reporter, Step
from plonedev.runtime.protocol import EventSink, LogLine, ServiceEvent, ServiceStatus, State
from plonedev.sources import SourcesResult


class StepsReporter(QuietReporter):
    """Records the titles of the steps shown, which is what the user sees happen."""

    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []

    def step(self, title: str) -> AbstractContextManager[Step]:
        self.titles.append(title)
        return super().step(title)


@dataclass
class RecordingRuntime:
    """A runtime whose services are names in `alive`; `fail` makes a service's next start
    fail (service -> the log line it leaves), as a real one raises ServiceError."""

    name: str = "native"
    alive: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)
    up_recreates: bool = False  # `up` makes a new backend (a new pid), as Compose does
    pid: int = 1
    fail: dict[str, str] = field(default_factory=dict)

    def up(self, project: Project, on_event: EventSink) -> None:
        self.calls.append("up " + " ".join(project.service_names))
        if self.up_recreates or "backend" not in self.alive:
            self.pid += 1
        for name in project.service_names:
            if name in self.alive:
                on_event(ServiceEvent(name, "already running"))
                continue
            self._start(name, on_event)

    def down(self, project: Project, on_event: EventSink) -> list[str]:
        self.calls.append("down")
        stopped = [name for name in project.service_names if name in self.alive]
        self.alive.clear()
        return stopped

    def restart(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> None:
        self.calls.append(f"restart {' '.join(names)}")
        for name in names:
            self.alive.discard(name)
            self._start(name, on_event)

    def stop(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> list[str]:
        self.calls.append(f"stop {' '.join(sorted(names))}")
        stopped = [name for name in names if name in self.alive]
        self.alive -= set(names)
        return stopped

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

    def _start(self, name: str, on_event: EventSink) -> None:
        on_event(ServiceEvent(name, "starting"))
        if name in self.fail:
            raise ServiceError(
                f"{name} exited during start-up",
                f"see its log (`plonedev logs {name}`)",
                self.fail.pop(name),
            )
        self.alive.add(name)
        on_event(ServiceEvent(name, "healthy", 0.1))


@dataclass
class FakeEnvironment:
    """A backend environment holding a set of package names. `install` installs each of
    `available` that the requirements mxdev wrote name (so it sees the config's edits);
    `write_files` writes one generated file from the config, as the instance files are."""

    available: dict[str, DistInfo] = field(default_factory=dict)
    packages: set[str] = field(default_factory=lambda: {"plone"})
    fail_install: PlonedevError | None = None
    calls: list[str] = field(default_factory=list)
    description: str = ".plonedev/venv"
    recreates_backend: bool = False

    def snapshot(self) -> EnvironmentSnapshot:
        self.calls.append("snapshot")
        return EnvironmentSnapshot(True, " ".join(sorted(self.packages)))

    def files(self, context: ProjectContext) -> list[Path]:
        return [generated_file(context.paths)]

    def install(self, context: ProjectContext, synced: SourcesResult, reporter: Reporter) -> None:
        self.calls.append("install")
        wanted = _requirement_names(synced.requirements)
        # A failed install may have changed the environment halfway, as uv can.
        self.packages |= {name for name in self.available if name in wanted}
        if self.fail_install is not None:
            raise self.fail_install

    def write_files(self, context: ProjectContext, admin_password: str) -> None:
        self.calls.append("write_files")
        includes = "".join(f"{name}\n" for name in context.config.zcml_includes)
        generated_file(context.paths).write_text(f"zcml includes:\n{includes}")

    def restore(self, snapshot: EnvironmentSnapshot) -> None:
        self.calls.append("restore")
        self.packages = set(snapshot.state.split())

    def release(self, snapshot: EnvironmentSnapshot) -> None:
        self.calls.append("release")

    def prune(self, synced: SourcesResult) -> tuple[str, ...]:
        self.calls.append("prune")
        wanted = _requirement_names(synced.requirements)
        gone = tuple(sorted(n for n in self.packages if n in self.available and n not in wanted))
        self.packages -= set(gone)
        return gone

    def probe(self, names: Sequence[str]) -> dict[str, DistInfo]:
        return {
            name: self.available[name] if name in self.packages else DistInfo(name, False)
            for name in names
        }


def generated_file(paths: ProjectPaths) -> Path:
    return paths.state / "fake-instance.txt"


def _requirement_names(requirements: Path) -> set[str]:
    names = set()
    for raw in requirements.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-e "):  # a source mxdev checked out: ./sources/NAME[extras]
            line = line.rsplit("/", 1)[-1]
        elif line.startswith("-"):
            continue
        if line:
            names.add(re.split(r"[\[=<>~! ]", line, maxsplit=1)[0])
    return names


@dataclass
class FakePlone:
    """The Zope root with (or without) one site, and the site's add-ons as @addons lists
    them. An add-on in `broken` does not install (its profile fails), as Plone answers."""

    site_id: str = "Plone"
    site: bool = False
    addons: dict[str, dict[str, Any]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    registry: dict[str, Any] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    port: int = 0

    def addon(self, addon_id: str, *, installed: bool = False) -> None:
        self.addons[addon_id] = {
            "id": addon_id,
            "title": addon_id,
            "version": "1.0",
            "install_profile_id": f"{addon_id}:default",
            "is_installed": installed,
        }

    def installed(self) -> set[str]:
        return {name for name, data in self.addons.items() if data["is_installed"]}

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        self.requests.append((method, path))
        site = f"/{self.site_id}"
        if path == f"{site}/@@ok":
            return (200, "OK") if self.site else (404, {"type": "NotFound"})
        if (method, path) == ("POST", "/@sites"):
            self.site = True
            return 200, {"@id": site}
        if not self.site or not path.startswith(f"{site}/"):
            return 404, {"type": "NotFound"}
        rest = path.removeprefix(f"{site}/").split("/")
        if rest == ["@addons"]:
            return 200, {"items": list(self.addons.values())}
        if rest[0] == "@addons":
            return self._addon(method, rest[1], rest[2:])
        if rest[0] == "@registry":
            if method == "PATCH":
                self.registry.update(body)
                return 204, None
            record = "/".join(rest[1:])
            return (200, self.registry[record]) if record in self.registry else (404, {})
        return 404, {"type": "NotFound"}

    def _addon(self, method: str, addon_id: str, action: list[str]) -> tuple[int, Any]:
        data = self.addons.get(addon_id)
        if method == "GET":
            return 200, data if data is not None else []
        if data is not None and addon_id not in self.broken:
            if action == ["install"] or action == ["import", "default"]:
                data["is_installed"] = True
            elif action == ["uninstall"]:
                data["is_installed"] = False
        return 204, None  # whatever happened, as @addons answers


def serve(plone: FakePlone) -> ThreadingHTTPServer:
    """`plone` answering on a free loopback port (its `port`), until shutdown()."""

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, payload = plone.answer(self.command, self.path, json.loads(raw or b"null"))
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    plone.port = server.server_address[1]
    # A short poll: shutdown() at the end of each test waits for it.
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server


def running_with(root: Path, runtime: Any) -> Any:
    """The project in `root` (its pyproject written) as open_running_project gives it, run
    by `runtime`: for a command module's open_running_project to return."""
    from plonedev.model_builder import build_project
    from plonedev.project_setup.find_project import RunningProject, open_project
    from plonedev.runtime.select import Resolution

    context = open_project(root)
    project = build_project(context.config, context.paths, native_programs=False)
    return RunningProject(context, project, runtime, Resolution("fake", "test"))


# repozo's two uses, as copies: -B -r DIR -f FILE and -R -r DIR -o FILE; and a venv
# python that names the installed packages, as the snapshot's manifest asks it.
_FAKE_REPOZO = """#!/bin/sh
set -e
case "$1" in
  -B) [ -z "$REPOZO_BACKUP_FAILS" ] || { echo "$REPOZO_BACKUP_FAILS" >&2; exit 1; }
      cp "$5" "$3/full.fs" ;;
  -R) [ -z "$REPOZO_FAILS" ] || { echo "$REPOZO_FAILS" >&2; exit 1; }
      cp "$3/full.fs" "$5" ;;
esac
"""
_FAKE_PYTHON = """#!/bin/sh
echo '{"Products.CMFPlone": "6.2.2", "collective.foo": "1.2", "zope": "5"}'
"""


def install_fake_backup_tools(paths: ProjectPaths) -> None:
    """Stand-ins for the venv's repozo and python, so snapshots run against the fakes."""
    paths.venv_bin.mkdir(parents=True, exist_ok=True)
    for name, script in (("repozo", _FAKE_REPOZO), ("python", _FAKE_PYTHON)):
        (paths.venv_bin / name).write_text(script)
        (paths.venv_bin / name).chmod(0o755)


# psql -c "$sql" on databases that are folders of $FAKE_PG: what a restore sends, and a
# rename refused while $FAKE_PG/busy exists (a connection open on the database).
FAKE_PSQL = """case "$sql" in
  "DROP DATABASE IF EXISTS "*) rm -rf "$FAKE_PG/${sql#DROP DATABASE IF EXISTS }" ;;
  "DROP DATABASE "*) rm -r "$FAKE_PG/${sql#DROP DATABASE }" ;;
  "CREATE DATABASE "*) mkdir "$FAKE_PG/${sql#CREATE DATABASE }" ;;
  "ALTER DATABASE plone RENAME TO plone_replaced; "*)
    if [ -e "$FAKE_PG/busy" ]; then
      echo 'ERROR:  database "plone" is being accessed by other users' >&2; exit 1
    fi
    mv "$FAKE_PG/plone" "$FAKE_PG/plone_replaced"
    mv "$FAKE_PG/plone_restoring" "$FAKE_PG/plone" ;;
  *) echo "unexpected: $sql" >&2; exit 1 ;;
esac"""
