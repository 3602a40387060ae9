"""The native runtime: each service a local process, started in dependency order.

`up` reconciles: a service already running with the same command is left alone, one
whose command changed is restarted, one that is gone is started. State lives in
.plonedev/run/native.json so `status`, `logs` and `down` work from any shell.
"""

from __future__ import annotations

import dataclasses
import subprocess
import time
from collections.abc import Iterator
from functools import partial

from plonedev.errors import PlonedevError, ServiceError
from plonedev.files import contents_digest
from plonedev.model import Project, Service
from plonedev.paths import ProjectPaths
from plonedev.runtime import ports, processes, release
from plonedev.runtime.health import is_healthy
from plonedev.runtime.logs import follow_logs, tail_lines
from plonedev.runtime.native_shell import NativeShell
from plonedev.runtime.protocol import EventSink, LogLine, ServiceEvent, ServiceStatus, State
from plonedev.runtime.state import RunningService, StateFile

_POLL_FIRST = 0.05  # the backend can answer within a second; do not sleep past that
_POLL_MAX = 0.1  # a refused connection costs nothing; a late look costs the user


class NativeRuntime:
    name = "native"

    def __init__(self, paths: ProjectPaths) -> None:
        self.paths = paths
        self.state = StateFile(paths.run / "native.json")

    # -- up ---------------------------------------------------------------------------
    def up(self, project: Project, on_event: EventSink) -> None:
        running = self.state.read()
        for service in project.start_order():
            current = running.get(service.name)
            if current and current.handle.is_alive():
                if current.command == service.command and _same_config(current, service):
                    self._wait_healthy(service, current, on_event, already=True)
                    continue
                self._stop(current, service, on_event, then_start=True)
            self._start(service, on_event)

    def restart(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> None:
        running = self.state.read()
        for service in project.start_order():
            if service.name not in names:
                continue
            current = running.get(service.name)
            if current:
                self._stop(current, service, on_event, then_start=True)
            self._start(service, on_event)

    def backend_shell(self, project: Project) -> NativeShell:
        return NativeShell(self.paths)

    def config_reloaded(self, service: Service) -> None:
        """The running process took in its config files as they are now (Varnish after
        a VCL reload): the next `up` has no reason to restart it."""
        current = self.state.read().get(service.name)
        if current is not None:
            digest = contents_digest(service.config_files)
            self.state.put(dataclasses.replace(current, config_digest=digest))

    def _start(self, service: Service, on_event: EventSink) -> None:
        for binding in service.ports:
            ports.ensure_free(service.name, binding)
        self._initialise(service, on_event)
        log_file = self.paths.log_file(service.name)
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("a") as log:
            log.write(f"--- plonedev: starting {service.name}: {' '.join(service.command)}\n")
        on_event(ServiceEvent(service.name, "starting"))
        try:
            handle, _ = processes.spawn(
                service.command,
                cwd=service.cwd,
                env=dict(service.env),
                log_file=log_file,
                user=service.user,
            )
        except OSError as exc:
            raise PlonedevError(
                f"{service.name}: cannot run {service.command[0]}: {exc.strerror}",
                "check that the program is installed (`plonedev doctor`)",
            ) from None
        record = RunningService(
            name=service.name,
            pid=handle.pid,
            start_ticks=handle.start_ticks,
            started_at=time.time(),
            command=service.command,
            config_digest=contents_digest(service.config_files),
        )
        self.state.put(record)
        self._wait_healthy(service, record, on_event, already=False)

    def _initialise(self, service: Service, on_event: EventSink) -> None:
        for step in service.init:
            if step.creates.exists():
                continue
            on_event(ServiceEvent(service.name, "initialising", detail=step.description))
            done = subprocess.run(
                step.argv,
                cwd=service.cwd,
                input=step.stdin,
                user=step.user,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                output = (done.stderr or done.stdout).strip().splitlines()
                raise ServiceError(
                    f"{service.name}: {step.description} failed "
                    f"(exit {done.returncode}): {output[-1] if output else 'no output'}",
                    f"fix the cause, then run `plonedev up` again ({' '.join(step.argv)})",
                )

    def _wait_healthy(
        self, service: Service, record: RunningService, on_event: EventSink, *, already: bool
    ) -> None:
        started = time.monotonic()
        if service.health is None:
            on_event(ServiceEvent(service.name, "already running" if already else "running"))
            return
        delay = _POLL_FIRST
        deadline = started + service.start_timeout
        while not is_healthy(service.health):
            if not record.handle.is_alive():
                self.state.remove(service.name)
                raise ServiceError(
                    f"{service.name} exited during start-up",
                    f"see `plonedev logs {service.name}`",
                    details=self._log_tail(service.name, 15),
                )
            if time.monotonic() > deadline:
                raise ServiceError(
                    f"{service.name} did not become healthy within {service.start_timeout:.0f} s",
                    f"see `plonedev logs {service.name}`",
                    details=self._log_tail(service.name, 15),
                )
            time.sleep(delay)
            delay = min(delay * 1.5, _POLL_MAX)
        seconds = time.monotonic() - started
        on_event(ServiceEvent(service.name, "already running" if already else "healthy", seconds))

    # -- down -------------------------------------------------------------------------
    def down(self, project: Project, on_event: EventSink) -> list[str]:
        running = self.state.read()
        stopped: list[str] = []
        known = {s.name: s for s in project.services}
        # Reverse start order; services no longer in the config are stopped last.
        order = [s.name for s in reversed(project.start_order())]
        order += [name for name in running if name not in known]
        for name in order:
            current = running.get(name)
            if current is None:
                continue
            service = known.get(name)
            self._stop(current, service, on_event)
            stopped.append(name)
        return stopped

    def stop(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> list[str]:
        running = self.state.read()
        known = {s.name: s for s in project.services}
        order = [s.name for s in reversed(project.start_order()) if s.name in names]
        order += [name for name in names if name not in known]
        stopped: list[str] = []
        for name in order:
            current = running.get(name)
            if current is not None:
                self._stop(current, known.get(name), on_event)
                stopped.append(name)
        return stopped

    def _stop(
        self,
        current: RunningService,
        service: Service | None,
        on_event: EventSink,
        *,
        then_start: bool = False,
    ) -> None:
        """Stop a service; `then_start`: only until its successor can start (release)."""
        started = time.monotonic()
        signal_name = service.stop_signal if service else "SIGTERM"
        timeout = service.stop_timeout if service else 10.0
        gone = None
        if then_start and service is not None and (service.ports or service.locks):
            gone = partial(release.released, service)
        was_running = processes.stop(current.handle, signal_name, timeout, gone)
        self.state.remove(current.name)
        if was_running:
            on_event(ServiceEvent(current.name, "stopped", time.monotonic() - started))

    # -- status and logs ----------------------------------------------------------------
    def status(self, project: Project) -> list[ServiceStatus]:
        running = self.state.read()
        result: list[ServiceStatus] = []
        for service in project.services:
            current = running.get(service.name)
            if current is None:
                result.append(ServiceStatus(service.name, State.STOPPED, url=service.url))
            elif not current.handle.is_alive():
                result.append(
                    ServiceStatus(service.name, State.EXITED, detail=self._last_line(service.name))
                )
            else:
                healthy = service.health is None or is_healthy(service.health, timeout=1.0)
                result.append(
                    ServiceStatus(
                        service.name,
                        State.RUNNING if healthy else State.UNHEALTHY,
                        pid=current.pid,
                        url=service.url,
                    )
                )
        return result

    def logs(
        self, project: Project, services: tuple[str, ...], follow: bool, tail: int | None
    ) -> Iterator[LogLine]:
        names = services or project.service_names
        files = {name: self.paths.log_file(name) for name in names}
        if follow:
            yield from follow_logs(files, tail)
        else:
            for name, path in files.items():
                for text in tail_lines(path, tail):
                    yield LogLine(name, text)

    def _log_tail(self, name: str, count: int) -> str:
        return "\n".join(tail_lines(self.paths.log_file(name), count))

    def _last_line(self, name: str) -> str:
        lines = tail_lines(self.paths.log_file(name), 1)
        return lines[-1] if lines else ""


def _same_config(current: RunningService, service: Service) -> bool:
    """The running process read the config files as they are now (or we cannot tell)."""
    if current.config_digest is None:
        return True
    return current.config_digest == contents_digest(service.config_files)
