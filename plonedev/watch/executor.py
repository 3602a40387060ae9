"""Carry out a batch's actions against the runtime; report each, never stop on a failure.

A service whose restart failed is remembered as broken: the next change that concerns
it restarts it (a code reload cannot revive a process that is gone), so fixing the
code is all the user does to recover.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from plonedev.errors import PlonedevError, ServiceError
from plonedev.model import Project
from plonedev.runtime.protocol import Runtime, ServiceEvent
from plonedev.watch.changes import FileChange
from plonedev.watch.filter import WatchSpec
from plonedev.watch.outcome import ActionOutcome, traceback_tail
from plonedev.watch.reload import BackendUnreachable, CodeReload, ReloadError
from plonedev.watch.rules import BACKEND, FRONTEND, PROJECT, VARNISH, Action, Do, RuleContext

Clock = Callable[[], float]


@dataclass(frozen=True)
class InstallSummary:
    installed: bool  # False: nothing that decides the install changed
    text: str  # "reinstalled (requirements changed)"
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reconfiguration:
    old: Project
    new: Project
    installed: bool  # the backend environment was installed again
    files_changed: frozenset[str]  # services whose generated files changed
    vcl_changed: bool
    warnings: tuple[str, ...] = ()


class Workspace(Protocol):
    """The project around the executor: its model, its files, its backend."""

    @property
    def project(self) -> Project: ...

    @property
    def root(self) -> Path: ...

    def rule_context(self) -> RuleContext: ...

    def watch_spec(self) -> WatchSpec: ...

    def refresh(self) -> None:
        """Read mx.ini and the requirement files again: sources may have come or gone."""

    def reload_code(self) -> CodeReload:
        """Ask the backend to reload changed modules (ReloadError when it cannot)."""

    def install(self, *, sync: bool) -> InstallSummary:
        """Install the backend environment again (after syncing the sources if `sync`)."""

    def install_frontend(self) -> InstallSummary:
        """Install the frontend's packages again (its package.json changed)."""

    def reconfigure(self) -> Reconfiguration:
        """Read the config again, render every file, and make the result current."""

    def reload_vcl(self) -> float | None:
        """Load the VCL into the running Varnish; its seconds (None: Varnish runs this VCL
        already). PlonedevError when it does not compile: Varnish keeps the old one."""

    def is_settled(self, change: FileChange) -> bool:
        """True when the change leaves a file as plonedev last wrote or applied it."""


@dataclass
class _Batch:
    restarted: set[str] = field(default_factory=set)  # (re)started during this batch
    vcl_loaded: bool = False  # the VCL on disk is the one Varnish uses now


class Executor:
    def __init__(
        self,
        runtime: Runtime,
        workspace: Workspace,
        clock: Clock = time.monotonic,
        wall_clock: Clock = time.time,
    ):
        self.runtime = runtime
        self.workspace = workspace
        self.clock = clock
        self.wall_clock = wall_clock  # compared with files' modification times
        self.broken: set[str] = set()  # services whose last start failed
        self.started: dict[str, float] = {}  # wall time just before we last (re)started one

    def run(self, actions: Sequence[Action]) -> list[ActionOutcome]:
        batch = _Batch()
        outcomes: list[ActionOutcome] = []
        for action in actions:
            try:
                outcome = self._run_one(action, batch)
            except Exception as exc:  # a bug must not end the watcher: say it, go on
                outcome = ActionOutcome(
                    action.service,
                    False,
                    f"unexpected error ({type(exc).__name__}: {exc}); please report it",
                    0.0,
                    action.triggers,
                    details=traceback.format_exc(limit=-6).rstrip(),
                )
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    def _run_one(self, action: Action, batch: _Batch) -> ActionOutcome | None:
        if action.service != PROJECT and action.service in batch.restarted:
            return None  # restarted earlier in this batch: it already runs the new code
        if action.service == PROJECT:
            return self._reconfigure(action, batch)
        if action.service not in self.workspace.project.service_names:
            what = "package.json changed" if action.service == FRONTEND else "changed"
            return ActionOutcome(
                action.service,
                True,
                f"{what}, but the project runs no {action.service}: nothing to do",
                0.0,
                action.triggers,
            )
        if action.do is Do.RELOAD_CODE:
            return self._reload(action, batch)
        if action.do is Do.RELOAD_VCL:
            return None if batch.vcl_loaded else self._reload_vcl(action, batch)
        if action.do in (Do.SYNC, Do.REINSTALL):  # the backend's, or a package.json
            return self._install(action, batch)
        return self._restart(action.service, action.triggers, batch, "restarted")

    # -- backend code -------------------------------------------------------------------
    def _reload(self, action: Action, batch: _Batch) -> ActionOutcome:
        if action.service in self.broken:
            return self._restart(action.service, action.triggers, batch, "started again")
        started = self.clock()
        try:
            result = self.workspace.reload_code()
        except BackendUnreachable:
            return self._restart(
                action.service, action.triggers, batch, "was not answering: restarted"
            )
        except ReloadError as exc:
            return self._restart(action.service, action.triggers, batch, f"{exc}: restarted")
        # A file saved before the process started was imported fresh: nothing to reload.
        fresh_since = self.started.get(action.service, float("-inf"))
        missed = [
            path
            for path in _not_reloaded(action.triggers, result.reloaded)
            if _mtime(path) >= fresh_since
        ]
        if missed:
            names = ", ".join(path.name for path in missed)
            return self._restart(
                action.service,
                action.triggers,
                batch,
                f"plone.reload did not reload {names}: restarted",
                started=started,
            )
        count = len(result.reloaded)
        summary = f"reloaded {count} module{'s' if count != 1 else ''}"
        return ActionOutcome(
            action.service,
            True,
            summary if count else "nothing to reload: its last start loaded this code",
            self.clock() - started,
            action.triggers,
        )

    def _reload_vcl(self, action: Action, batch: _Batch) -> ActionOutcome | None:
        started = self.clock()
        try:
            seconds = self.workspace.reload_vcl()
        except PlonedevError as exc:  # the VCL does not compile: Varnish keeps the old one
            return ActionOutcome(
                action.service,
                False,
                exc.message,
                self.clock() - started,
                action.triggers,
                hint=exc.hint,
            )
        batch.vcl_loaded = True
        if seconds is None:
            return None  # it runs this VCL already (the echo of a reload done before)
        return ActionOutcome(
            action.service,
            True,
            f"loaded the new VCL ({seconds:.1f} s), the cache kept",
            self.clock() - started,
            action.triggers,
        )

    def _install(self, action: Action, batch: _Batch) -> ActionOutcome:
        started = self.clock()
        sync = action.do is Do.SYNC and action.service == BACKEND
        try:
            if action.service == BACKEND:
                summary = self.workspace.install(sync=sync)
            else:
                summary = self.workspace.install_frontend()
        except PlonedevError as exc:
            return ActionOutcome(
                action.service,
                False,
                f"{'sync and install' if sync else 'install'} failed, the {action.service} "
                f"keeps running as it was: {exc.message}",
                self.clock() - started,
                action.triggers,
                details=getattr(exc, "details", ""),
                hint=exc.hint,
            )
        if not summary.installed and action.service not in self.broken:
            return ActionOutcome(
                action.service,
                True,
                f"{summary.text}: no restart needed",
                self.clock() - started,
                action.triggers,
                warnings=summary.warnings,
            )
        outcome = self._restart(
            action.service, action.triggers, batch, f"{summary.text}, restarted", started=started
        )
        return replace(outcome, warnings=summary.warnings)

    # -- restarts ---------------------------------------------------------------------
    def _restart(
        self,
        service: str,
        triggers: tuple[Path, ...],
        batch: _Batch,
        summary: str,
        *,
        started: float | None = None,
    ) -> ActionOutcome:
        begun = self.clock() if started is None else started
        project = self.workspace.project
        failed = self._restart_services(project, (service,), batch)
        seconds = self.clock() - begun
        if failed is not None:
            return self._failure(service, failed, triggers, seconds)
        return ActionOutcome(service, True, summary, seconds, triggers)

    def _restart_services(
        self, project: Project, names: tuple[str, ...], batch: _Batch
    ) -> tuple[str, PlonedevError] | None:
        """Restart `names` in dependency order; the service that failed and why, or None."""
        starting: list[str] = []

        def on_event(event: ServiceEvent) -> None:
            if event.action == "starting":
                starting.append(event.service)

        begun = self.wall_clock()
        try:
            self.runtime.restart(project, names, on_event)
        except PlonedevError as exc:
            name = starting[-1] if starting else names[0]
            self.broken.add(name)
            batch.restarted.update(starting)
            return name, exc
        self.broken.difference_update(names)
        batch.restarted.update(names)
        self.started.update(dict.fromkeys(names, begun))
        return None

    def _failure(
        self,
        service: str,
        failed: tuple[str, PlonedevError],
        triggers: tuple[Path, ...],
        seconds: float,
    ) -> ActionOutcome:
        name, error = failed
        details = self._log_tail(name) if isinstance(error, ServiceError) else ""
        summary = (
            "failed to start; it starts again on the next change"
            if isinstance(error, ServiceError)
            else f"could not restart: {error.message}"
        )
        prefix = "" if name == service else f"{name} "
        return ActionOutcome(
            service,
            False,
            f"{prefix}{summary}",
            seconds,
            triggers,
            details=details,
            hint=error.hint if not isinstance(error, ServiceError) else "",
        )

    def _log_tail(self, service: str) -> str:
        lines = [
            line.text
            for line in self.runtime.logs(self.workspace.project, (service,), follow=False, tail=80)
        ]
        return traceback_tail(lines)

    # -- the whole project ------------------------------------------------------------
    def _reconfigure(self, action: Action, batch: _Batch) -> ActionOutcome:
        started = self.clock()
        try:
            change = self.workspace.reconfigure()
        except PlonedevError as exc:
            return ActionOutcome(
                PROJECT,
                False,
                f"configuration not applied, everything keeps running as it was: {exc.message}",
                self.clock() - started,
                action.triggers,
                hint=exc.hint,
            )
        old, new = change.old, change.new
        removed = tuple(name for name in old.service_names if name not in new.service_names)
        added = {name for name in new.service_names if name not in old.service_names}
        changed = {
            name
            for name in new.service_names
            if name not in added and old.service(name) != new.service(name)
        }
        restart = changed | (change.files_changed & set(new.service_names)) | added
        if change.installed and BACKEND in new.service_names:
            restart.add(BACKEND)
        if BACKEND in self.broken and BACKEND in new.service_names:
            restart.add(BACKEND)
        done: list[str] = []
        if removed:
            stopped = self.runtime.stop(old, removed, lambda _event: None)
            done += [f"stopped {name}" for name in stopped]
        failed = None
        if restart:
            ordered = tuple(s.name for s in new.start_order() if s.name in restart)
            failed = self._restart_services(new, ordered, batch)
            done += [
                f"{'started' if name in added else 'restarted'} {name}"
                for name in ordered
                if name in batch.restarted and (failed is None or name != failed[0])
            ]
        vcl_reload = change.vcl_changed and VARNISH in new.service_names
        if failed is None and vcl_reload and VARNISH not in restart:
            try:
                seconds = self.workspace.reload_vcl()
            except PlonedevError as exc:  # the VCL does not compile: Varnish keeps the old one
                return ActionOutcome(
                    PROJECT,
                    False,
                    exc.message,
                    self.clock() - started,
                    action.triggers,
                    hint=exc.hint,
                    warnings=change.warnings,
                )
            batch.vcl_loaded = True
            if seconds is not None:
                done.append(f"reloaded the VCL ({seconds:.1f} s)")
        seconds = self.clock() - started
        if failed is not None:
            outcome = self._failure(PROJECT, failed, action.triggers, seconds)
            summary = "; ".join([*done, outcome.summary])
            return replace(outcome, summary=summary, warnings=change.warnings)
        summary = "; ".join(done) if done else "configuration applied, nothing to restart"
        return ActionOutcome(
            PROJECT, True, summary, seconds, action.triggers, warnings=change.warnings
        )


def _not_reloaded(triggers: tuple[Path, ...], reloaded: tuple[Path, ...]) -> list[Path]:
    """The changed .py files plone.reload did not reload (or that are gone)."""
    done = {_real(path) for path in reloaded}
    return [
        path
        for path in triggers
        if path.suffix == ".py" and (not path.is_file() or _real(path) not in done)
    ]


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return float("inf")  # gone: never "already loaded"


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path
