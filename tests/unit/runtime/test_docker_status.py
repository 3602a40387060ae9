"""How container states read in `status`, and log lines in `logs` (Docker runtime)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.model import Service
from plonedev.runtime.docker import _LOG_PREFIX, _TERMINAL_CODES, _status
from plonedev.runtime.docker_engine import ContainerInfo
from plonedev.runtime.protocol import State

SERVICE = Service("backend", "Zope", ("runwsgi",), Path(), url="http://127.0.0.1:8080/Plone")


def _info(state: str, health: str = "", exit_code: int = 0) -> ContainerInfo:
    return ContainerInfo("c1", "backend", state, health, exit_code, 42, "", "")


@pytest.mark.parametrize(
    ("info", "state"),
    [
        (None, State.STOPPED),
        (_info("running", "healthy"), State.RUNNING),
        (_info("running", ""), State.RUNNING),
        (_info("running", "starting"), State.STARTING),
        (_info("running", "unhealthy"), State.UNHEALTHY),
        (_info("exited", exit_code=0), State.STOPPED),
        (_info("exited", exit_code=130), State.STOPPED),  # SIGINT: stopped on purpose
        (_info("exited", exit_code=1), State.EXITED),
    ],
)
def test_container_state_to_service_state(info: ContainerInfo | None, state: State) -> None:
    assert _status(SERVICE, info).state is state


def test_a_running_service_shows_its_pid_and_url() -> None:
    status = _status(SERVICE, _info("running", "healthy"))
    assert (status.pid, status.url) == (42, "http://127.0.0.1:8080/Plone")
    assert _status(SERVICE, _info("exited", exit_code=3)).detail == "exit 3"


def test_compose_log_lines_are_split_into_service_and_text() -> None:
    raw = "\x1b[2Kbackend-1  | 2024-05-01 INFO [Zope] Ready | to handle"
    match = _LOG_PREFIX.match(_TERMINAL_CODES.sub("", raw))
    assert match is not None
    assert (match["name"], match["text"]) == ("backend", "2024-05-01 INFO [Zope] Ready | to handle")
    match = _LOG_PREFIX.match("my-addon_site-12 | x")
    assert match is not None and match["name"] == "my-addon_site"
