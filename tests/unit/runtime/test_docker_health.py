"""Following services to health through the engine's events (a scripted engine here;
tests/integration/test_compose.py shows it against a real one)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from plonedev.errors import ServiceError
from plonedev.runtime.docker_engine import ContainerInfo
from plonedev.runtime.docker_health import Expectation, start_and_wait
from plonedev.runtime.protocol import ServiceEvent


def _event(action: str, service: str, container: str, **attributes: str) -> dict[str, Any]:
    return {
        "Action": action,
        "Actor": {
            "ID": container,
            "Attributes": {"com.docker.compose.service": service, **attributes},
        },
    }


class _Stream:
    """Yields its events once `start` ran, stamped with the time they are read."""

    def __init__(self, events: list[dict[str, Any]], started: threading.Event) -> None:
        self.events = events
        self.started = started
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.started.wait(5)
        for event in self.events:
            time.sleep(0.01)
            yield {**event, "timeNano": time.time_ns()}
        self.closed.wait(5)  # a real stream stays open until closed

    def close(self) -> None:
        self.closed.set()


class _Engine:
    def __init__(self, events: list[dict[str, Any]], containers: dict[str, ContainerInfo]):
        self.started = threading.Event()
        self.stream = _Stream(events, self.started)
        self._containers = containers
        api = type("Api", (), {"events": lambda _self, **_kw: self.stream})()
        self.client = type("Client", (), {"api": api})()

    def containers(self, project: str) -> dict[str, ContainerInfo]:
        return self._containers

    def logs(self, container_id: str, tail: int) -> list[str]:
        return [f"log of {container_id}", "Traceback: boom"]


OLD = "2020-01-01T00:00:00.5Z"  # started long before the run under test


def _info(
    service: str, container: str, *, running: bool = True, health: str = "healthy", at: str = ""
) -> ContainerInfo:
    state = "running" if running else "exited"
    return ContainerInfo(container, service, state, health, 0, 1, at, "")


def _run(engine: _Engine, expect: Expectation) -> list[ServiceEvent]:
    seen: list[ServiceEvent] = []
    start_and_wait(engine, "demo", engine.started.set, expect, seen.append)  # type: ignore[arg-type]
    return seen


def test_each_service_is_reported_as_it_turns_healthy() -> None:
    engine = _Engine(
        [
            _event("start", "zeo", "z1"),
            _event("health_status: healthy", "zeo", "z1"),
            _event("start", "backend", "b1"),
            _event("health_status: healthy", "backend", "b1"),
        ],
        {"zeo": _info("zeo", "z1"), "backend": _info("backend", "b1", health="starting")},
    )
    seen = _run(engine, Expectation(("zeo", "backend"), timeout=10))
    assert [(e.service, e.action) for e in seen] == [
        ("zeo", "starting"),
        ("zeo", "healthy"),
        ("backend", "starting"),
        ("backend", "healthy"),
    ]
    assert engine.stream.closed.is_set()


def test_a_service_healthy_before_compose_ran_is_already_running() -> None:
    engine = _Engine([], {"backend": _info("backend", "old", at=OLD)})
    seen = _run(engine, Expectation(("backend",), timeout=10))
    assert [(e.service, e.action) for e in seen] == [("backend", "already running")]


def test_events_of_an_older_container_do_not_count() -> None:
    engine = _Engine(
        [
            _event("health_status: healthy", "backend", "old"),
            _event("die", "backend", "old", exitCode="0"),
            _event("start", "backend", "new"),
            _event("health_status: healthy", "backend", "new"),
        ],
        {"backend": _info("backend", "new")},
    )
    seen = _run(engine, Expectation(("backend",), timeout=10))
    assert [(e.service, e.action) for e in seen] == [
        ("backend", "starting"),
        ("backend", "healthy"),
    ]


def test_a_service_that_exits_during_start_up_fails_with_its_log() -> None:
    engine = _Engine(
        [_event("start", "backend", "b1"), _event("die", "backend", "b1", exitCode="1")],
        {"backend": _info("backend", "b1", running=False, health="unhealthy")},
    )
    with pytest.raises(ServiceError, match=r"backend exited during start-up \(exit 1\)") as error:
        _run(engine, Expectation(("backend",), timeout=10))
    assert "Traceback: boom" in error.value.details


def test_a_restart_keeps_its_container_and_its_stop_is_no_failure() -> None:
    # `compose restart`: the same container dies (exit 0), starts and turns healthy.
    engine = _Engine(
        [
            _event("die", "varnish", "v1", exitCode="0"),
            _event("start", "varnish", "v1"),
            _event("health_status: healthy", "varnish", "v1"),
        ],
        {"varnish": _info("varnish", "v1", health="starting", at="")},
    )
    seen = _run(engine, Expectation(("varnish",), timeout=10))
    assert [(e.service, e.action) for e in seen] == [
        ("varnish", "starting"),
        ("varnish", "healthy"),
    ]


def test_a_finished_job_is_reported_by_its_callback() -> None:
    engine = _Engine(
        [
            _event("start", "site", "s1"),
            _event("die", "site", "s1", exitCode="0"),
            _event("start", "backend", "b1"),
            _event("health_status: healthy", "backend", "b1"),
        ],
        {"backend": _info("backend", "b1")},
    )
    seen: list[ServiceEvent] = []
    start_and_wait(
        engine,  # type: ignore[arg-type]
        "demo",
        engine.started.set,
        Expectation(("backend",), ("site",), timeout=10),
        seen.append,
        lambda job, cid, seconds: ServiceEvent(job, "created", seconds, cid),
    )
    assert (seen[0].service, seen[0].action, seen[0].detail) == ("site", "created", "s1")


def test_an_error_of_compose_itself_is_raised() -> None:
    engine = _Engine([], {})

    def start() -> None:
        raise RuntimeError("compose said no")

    with pytest.raises(RuntimeError, match="compose said no"):
        start_and_wait(engine, "demo", start, Expectation(("backend",), timeout=10), print)  # type: ignore[arg-type]


def test_time_is_up_names_the_service() -> None:
    engine = _Engine(
        [_event("start", "backend", "b1")], {"backend": _info("backend", "b1", health="starting")}
    )
    with pytest.raises(ServiceError, match="backend did not become healthy within 1 s"):
        _run(engine, Expectation(("backend",), timeout=1))
