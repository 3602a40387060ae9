"""Start services with Compose and follow them to health through the engine's events.

Compose runs in a thread while the engine's event stream (start, die, health_status)
is read in another; both feed one queue, so every service is reported the moment it
turns healthy, and nothing polls. A container that was already healthy before Compose
ran sends no event: it is inspected once Compose is done.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from plonedev.errors import ServiceError
from plonedev.runtime.docker_engine import PROJECT_LABEL, SERVICE_LABEL, Engine
from plonedev.runtime.protocol import EventSink, ServiceEvent

_LOG_TAIL = 15


@dataclass(frozen=True)
class Expectation:
    services: tuple[str, ...]  # must end healthy (or running, without a health check)
    jobs: tuple[str, ...] = ()  # one-shot: reported when they exit 0
    timeout: float = 300.0


JobDone = Callable[[str, str, float], ServiceEvent | None]  # (job, container id, seconds)


@dataclass
class _Progress:
    t0_ns: int
    current: dict[str, str] = field(default_factory=dict)  # service -> its container now
    starts: dict[str, int] = field(default_factory=dict)  # container -> start (ns), this run
    healthy: dict[str, int] = field(default_factory=dict)  # container -> healthy (ns)
    exits: dict[str, int] = field(default_factory=dict)  # container -> exit code, this run
    ready: set[str] = field(default_factory=set)
    compose_done: bool = False


def _started_ns(started_at: str) -> int:
    """The engine's StartedAt ("2024-05-01T10:00:00.123456789Z") in ns; unknown: now."""
    try:
        head, _, fraction = started_at.rstrip("Z").partition(".")
        stamp = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return time.time_ns()
    nanos = int((fraction + "000000000")[:9]) if fraction.isdigit() else 0
    return int(stamp.timestamp()) * 1_000_000_000 + nanos


def start_and_wait(
    engine: Engine,
    project: str,
    start: Callable[[], None],
    expect: Expectation,
    on_event: EventSink,
    on_job_done: JobDone | None = None,
) -> None:
    """Run `start` (a Compose call) and return once every expected service is healthy.

    Raises ServiceError (with the end of the service's log) when one exits or turns
    unhealthy, or when the time is up; errors from `start` itself are raised as they are.
    """
    t0 = time.time()
    deadline = t0 + expect.timeout
    stream = engine.client.api.events(
        since=int(t0) - 1,  # whole seconds: events before t0 are dropped by timeNano below
        until=int(deadline) + 1,
        filters={
            "type": "container",
            "label": [f"{PROJECT_LABEL}={project}"],
            "event": ["start", "die", "health_status"],
        },
        decode=True,
    )
    inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
    threads = [
        threading.Thread(target=_pump_events, args=(stream, inbox), daemon=True),
        threading.Thread(target=_run_start, args=(start, inbox), daemon=True),
    ]
    for thread in threads:
        thread.start()
    waiter = _Waiter(engine, project, expect, on_event, on_job_done, _Progress(int(t0 * 1e9)))
    try:
        while not waiter.finished:
            remaining = deadline - time.time()
            try:
                kind, payload = inbox.get(timeout=max(remaining, 0.01))
            except queue.Empty:
                waiter.timed_out()
                continue
            waiter.handle(kind, payload)
    finally:
        stream.close()


def _pump_events(stream: Iterable[dict[str, Any]], inbox: queue.Queue[tuple[str, Any]]) -> None:
    # Closed under us when we are done, or the engine went away: either way, say so
    # (nobody reads it once we are done).
    with contextlib.suppress(Exception):
        for event in stream:
            inbox.put(("event", event))
    inbox.put(("events-ended", None))


def _run_start(start: Callable[[], None], inbox: queue.Queue[tuple[str, Any]]) -> None:
    try:
        start()
    except BaseException as exc:
        inbox.put(("start-failed", exc))
        return
    inbox.put(("start-done", None))


class _Waiter:
    """Folds events and one inspection into per-service progress; raises on failure."""

    def __init__(
        self,
        engine: Engine,
        project: str,
        expect: Expectation,
        on_event: EventSink,
        on_job_done: JobDone | None,
        progress: _Progress,
    ) -> None:
        self.engine = engine
        self.project = project
        self.expect = expect
        self.on_event = on_event
        self.on_job_done = on_job_done
        self.progress = progress

    @property
    def finished(self) -> bool:
        p = self.progress
        return p.compose_done and set(self.expect.services) <= p.ready

    def handle(self, kind: str, payload: Any) -> None:
        if kind == "start-failed":
            raise payload
        if kind == "start-done":
            self.progress.compose_done = True
            self._inspect()
        elif kind == "event":
            self._event(payload)
        elif kind == "events-ended":
            self.timed_out()
        self._check()

    def timed_out(self) -> None:
        waiting = [s for s in self.expect.services if s not in self.progress.ready]
        name = waiting[0] if waiting else "docker compose"
        raise ServiceError(
            f"{name} did not become healthy within {self.expect.timeout:.0f} s",
            f"see `plonedev logs {name}`",
            details=self._tail(name),
        )

    def _event(self, event: dict[str, Any]) -> None:
        p = self.progress
        when = int(event.get("timeNano", 0))
        if when < p.t0_ns:
            return  # from before this run (e.g. the previous `down`)
        actor = event.get("Actor") or {}
        attributes = actor.get("Attributes") or {}
        service = str(attributes.get(SERVICE_LABEL, ""))
        container = str(actor.get("ID", ""))
        action = str(event.get("Action", ""))
        if action == "start":
            p.current[service] = container
            p.starts[container] = when
            # A restart keeps the container: its "die" came first and was no failure.
            p.exits.pop(container, None)
            p.healthy.pop(container, None)
            if service in self.expect.services:
                self.on_event(ServiceEvent(service, "starting"))
        elif action == "die":
            p.exits[container] = int(attributes.get("exitCode") or 0)
            if service in self.expect.jobs and container in p.starts:
                self._job_finished(service, container, when)
        elif action.startswith("health_status"):
            status = action.partition(":")[2].strip()
            if status == "healthy":
                p.healthy[container] = when
            elif (
                status == "unhealthy"
                and p.current.get(service) == container
                and service in self.expect.services
                and service not in p.ready
            ):
                raise ServiceError(
                    f"{service} is unhealthy",
                    f"see `plonedev logs {service}`",
                    details=self._tail(service),
                )

    def _job_finished(self, job: str, container: str, when: int) -> None:
        code = self.progress.exits[container]
        if code != 0 or self.on_job_done is None:
            return  # a failed job makes Compose fail, with its own message
        seconds = (when - self.progress.starts[container]) / 1e9
        event = self.on_job_done(job, container, seconds)
        if event is not None:
            self.on_event(event)

    def _inspect(self) -> None:
        """Compose is done: learn the services' containers, and which were healthy before
        this run (those send no event)."""
        p = self.progress
        containers = self.engine.containers(self.project)
        for service in self.expect.services:
            info = containers.get(service)
            if info is None or service in p.ready:
                continue
            p.current.setdefault(service, info.id)
            if not info.running or _started_ns(info.started_at) >= p.t0_ns:
                continue  # started by this run: its events tell (some may still be on the way)
            if info.health in ("healthy", ""):
                p.ready.add(service)
                self.on_event(ServiceEvent(service, "already running"))

    def _check(self) -> None:
        p = self.progress
        for service in self.expect.services:
            container = p.current.get(service)
            if service in p.ready or container is None:
                continue
            if container in p.healthy:
                p.ready.add(service)
                started = p.starts.get(container)
                seconds = (p.healthy[container] - started) / 1e9 if started else 0.0
                self.on_event(ServiceEvent(service, "healthy", seconds))
            elif container in p.exits and self._stopped(service, container):
                raise ServiceError(
                    f"{service} exited during start-up (exit {p.exits[container]})",
                    f"see `plonedev logs {service}`",
                    details=self._tail(service),
                )
            elif p.compose_done and not self._has_health_check(service, container):
                p.ready.add(service)
                self.on_event(ServiceEvent(service, "running"))

    def _stopped(self, service: str, container: str) -> bool:
        """Whether a container that died is down for good: one started by this run died
        after its start; any other may be in a restart whose "start" is on its way."""
        if container in self.progress.starts:
            return True
        if not self.progress.compose_done:
            return False
        info = self.engine.containers(self.project).get(service)
        return info is None or (info.id == container and not info.running)

    def _has_health_check(self, service: str, container: str) -> bool:
        info = self.engine.containers(self.project).get(service)
        return info is None or info.id != container or info.health != ""

    def _tail(self, service: str) -> str:
        container = self.progress.current.get(service)
        if container is None:
            info = self.engine.containers(self.project).get(service)
            container = info.id if info else None
        if container is None:
            return ""
        try:
            return "\n".join(self.engine.logs(container, _LOG_TAIL))
        except Exception:  # the container may be gone already
            return ""
