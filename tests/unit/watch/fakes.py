"""Stand-ins for the runtime and the workspace, to test the executor's decisions.

They record what was asked; the feature itself is shown working against a real Plone
in tests/integration/test_watch_native.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from plonedev.errors import PlonedevError, ServiceError
from plonedev.model import Project, Service
from plonedev.runtime.protocol import EventSink, LogLine, ServiceEvent, ServiceStatus, State
from plonedev.watch.changes import FileChange
from plonedev.watch.executor import InstallSummary, Reconfiguration
from plonedev.watch.filter import WatchSpec
from plonedev.watch.reload import CodeReload, ReloadError
from plonedev.watch.rules import RuleContext

ROOT = Path("/p")


def service(name: str, *deps: str, command: str = "") -> Service:
    return Service(name, name, (command or f"run-{name}",), ROOT, depends_on=deps)


def project(*services: Service) -> Project:
    return Project("demo", ROOT, services)


@dataclass
class FakeRuntime:
    name: str = "fake"
    fail_next_start: dict[str, str] = field(default_factory=dict)  # service -> log text
    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    log: dict[str, list[str]] = field(default_factory=dict)

    def up(self, project: Project, on_event: EventSink) -> None:
        raise AssertionError("the watcher never calls up")

    def down(self, project: Project, on_event: EventSink) -> list[str]:
        raise AssertionError("the watcher never calls down")

    def restart(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> None:
        self.calls.append(("restart", names))
        for name in names:
            on_event(ServiceEvent(name, "starting"))
            if name in self.fail_next_start:
                self.log.setdefault(name, []).extend(self.fail_next_start.pop(name).splitlines())
                raise ServiceError(f"{name} exited during start-up", "see its log")
            on_event(ServiceEvent(name, "healthy", 1.0))

    def stop(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> list[str]:
        self.calls.append(("stop", names))
        return list(names)

    def status(self, project: Project) -> list[ServiceStatus]:
        return [ServiceStatus(s.name, State.RUNNING) for s in project.services]

    def logs(
        self, project: Project, services: tuple[str, ...], follow: bool, tail: int | None
    ) -> Iterator[LogLine]:
        for name in services:
            for text in self.log.get(name, [])[-(tail or 0) :]:
                yield LogLine(name, text)


@dataclass
class FakeWorkspace:
    current: Project
    reloads: list[CodeReload | ReloadError] = field(default_factory=list)
    installs: list[InstallSummary | PlonedevError] = field(default_factory=list)
    reconfigurations: list[Reconfiguration | PlonedevError] = field(default_factory=list)
    vcl_reloads: list[float | PlonedevError | None] = field(default_factory=list)
    frontend_installs: list[InstallSummary | PlonedevError] = field(default_factory=list)
    settled: set[Path] = field(default_factory=set)  # files plonedev wrote itself
    asked: list[str] = field(default_factory=list)

    @property
    def project(self) -> Project:
        return self.current

    @property
    def root(self) -> Path:
        return ROOT

    def rule_context(self) -> RuleContext:
        return RuleContext(
            root=ROOT,
            sources=(ROOT / "sources" / "demo",),
            sync_inputs=frozenset({ROOT / "mx.ini"}),
            config_files=frozenset({ROOT / "pyproject.toml"}),
            compose=ROOT / "compose",
            vcl=frozenset({ROOT / "compose" / "varnish" / "default.vcl"}),
        )

    def watch_spec(self) -> WatchSpec:
        return WatchSpec(ROOT, (ROOT / "sources",), frozenset({ROOT / "mx.ini"}))

    def refresh(self) -> None:
        self.asked.append("refresh")

    def reload_code(self) -> CodeReload:
        self.asked.append("reload")
        result = self.reloads.pop(0)
        if isinstance(result, ReloadError):
            raise result
        return result

    def install(self, *, sync: bool) -> InstallSummary:
        self.asked.append("sync" if sync else "install")
        result = self.installs.pop(0)
        if isinstance(result, PlonedevError):
            raise result
        return result

    def reconfigure(self) -> Reconfiguration:
        self.asked.append("reconfigure")
        result = self.reconfigurations.pop(0)
        if isinstance(result, PlonedevError):
            raise result
        self.current = result.new
        return result

    def install_frontend(self) -> InstallSummary:
        self.asked.append("install-frontend")
        result = self.frontend_installs.pop(0)
        if isinstance(result, PlonedevError):
            raise result
        return result

    def is_settled(self, change: FileChange) -> bool:
        return change.path in self.settled

    def reload_vcl(self) -> float | None:
        self.asked.append("reload-vcl")
        result = self.vcl_reloads.pop(0)
        if isinstance(result, PlonedevError):
            raise result
        return result
