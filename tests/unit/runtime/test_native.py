"""The native runtime with real (small) processes: start, health, state, stop."""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
import time
from pathlib import Path

import pytest

from plonedev.errors import PlonedevError, ServiceError
from plonedev.model import HttpCheck, InitStep, PortBinding, Project, Service, TcpCheck
from plonedev.paths import ProjectPaths
from plonedev.runtime.native import NativeRuntime
from plonedev.runtime.ports import free_port
from plonedev.runtime.protocol import ServiceEvent, State


def _http_service(tmp_path: Path, name: str, port: int, *deps: str) -> Service:
    return Service(
        name=name,
        description=name,
        command=(sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)),
        cwd=tmp_path,
        ports=(PortBinding(name, "127.0.0.1", port),),
        health=HttpCheck(f"http://127.0.0.1:{port}/"),
        depends_on=deps,
        stop_timeout=5,
        start_timeout=20,
    )


@pytest.fixture
def runtime(tmp_path: Path):
    paths = ProjectPaths(tmp_path)
    native = NativeRuntime(paths)
    projects: list[Project] = []
    yield native, projects
    for project in projects:
        native.down(project, lambda e: None)


def test_up_starts_in_order_and_status_sees_it_from_a_new_instance(tmp_path: Path, runtime) -> None:
    native, projects = runtime
    a, b = free_port(), free_port()
    project = Project(
        "p", tmp_path, (_http_service(tmp_path, "web", b, "db"), _http_service(tmp_path, "db", a))
    )
    projects.append(project)
    events: list[ServiceEvent] = []
    native.up(project, events.append)
    assert [(e.service, e.action) for e in events if e.action == "healthy"] == [
        ("db", "healthy"),
        ("web", "healthy"),
    ]
    # Another shell: a fresh runtime object reads the state file.
    statuses = NativeRuntime(ProjectPaths(tmp_path)).status(project)
    assert [(s.name, s.state) for s in statuses] == [("web", State.RUNNING), ("db", State.RUNNING)]


def test_up_twice_leaves_running_services_alone(tmp_path: Path, runtime) -> None:
    native, projects = runtime
    project = Project("p", tmp_path, (_http_service(tmp_path, "web", free_port()),))
    projects.append(project)
    native.up(project, lambda e: None)
    pid = native.status(project)[0].pid
    events: list[ServiceEvent] = []
    native.up(project, events.append)
    assert native.status(project)[0].pid == pid
    assert [e.action for e in events] == ["already running"]


def test_down_stops_the_whole_process_group(tmp_path: Path, runtime) -> None:
    native, _ = runtime
    marker = tmp_path / "child.pid"
    port = free_port()
    # A service that forks a child which would outlive a naive kill of the parent.
    script = (
        "import os, subprocess, sys, time, http.server\n"
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        f"http.server.HTTPServer(('127.0.0.1', {port}), http.server.SimpleHTTPRequestHandler)"
        ".serve_forever()\n"
    )
    service = Service(
        name="forker",
        description="forker",
        command=(sys.executable, "-c", script),
        cwd=tmp_path,
        health=TcpCheck("127.0.0.1", port),
        stop_timeout=5,
    )
    project = Project("p", tmp_path, (service,))
    native.up(project, lambda e: None)
    child = int(marker.read_text())
    os.kill(child, 0)  # alive
    assert native.down(project, lambda e: None) == ["forker"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.05)
    assert not _alive(child)
    assert native.status(project)[0].state is State.STOPPED


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_port_taken_by_another_program_is_a_clear_error(tmp_path: Path, runtime) -> None:
    native, _ = runtime
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        project = Project("p", tmp_path, (_http_service(tmp_path, "backend", port),))
        with pytest.raises(PlonedevError) as caught:
            native.up(project, lambda e: None)
    assert caught.value.message == (
        f"port {port} on 127.0.0.1 (backend) is already in use by another program"
    )
    assert "tool.plonedev.ports.backend" in caught.value.hint
    assert native.state.read() == {}


def test_a_service_that_dies_at_start_reports_its_log(tmp_path: Path, runtime) -> None:
    native, _ = runtime
    service = Service(
        name="broken",
        description="broken",
        command=(
            sys.executable,
            "-c",
            "import sys; print('ImportError: no module foo'); sys.exit(1)",
        ),
        cwd=tmp_path,
        health=TcpCheck("127.0.0.1", free_port()),
    )
    with pytest.raises(ServiceError) as caught:
        native.up(Project("p", tmp_path, (service,)), lambda e: None)
    assert caught.value.message == "broken exited during start-up"
    assert "ImportError: no module foo" in caught.value.details
    assert native.state.read() == {}


def test_init_steps_run_once_and_failures_name_the_step(tmp_path: Path, runtime) -> None:
    native, projects = runtime
    created = tmp_path / "data"
    counter = tmp_path / "runs"
    step = InitStep(
        "prepare data",
        (
            sys.executable,
            "-c",
            f"import pathlib; p=pathlib.Path({str(counter)!r}); "
            f"p.write_text(p.read_text() + 'x' if p.exists() else 'x'); "
            f"pathlib.Path({str(created)!r}).mkdir()",
        ),
        created,
    )
    port = free_port()
    service = _http_service(tmp_path, "web", port)
    project = Project("p", tmp_path, (Service(**{**service.__dict__, "init": (step,)}),))
    projects.append(project)
    native.up(project, lambda e: None)
    native.down(project, lambda e: None)
    native.up(project, lambda e: None)
    assert counter.read_text() == "x"

    failing = InitStep("create the cluster", ("false",), tmp_path / "never")
    broken = Service(**{**service.__dict__, "name": "other", "ports": (), "init": (failing,)})
    with pytest.raises(ServiceError, match=r"other: create the cluster failed \(exit 1\)"):
        native.up(Project("p", tmp_path, (broken,)), lambda e: None)


def test_up_restarts_a_service_whose_config_file_changed_and_only_that_one(
    tmp_path: Path, runtime
) -> None:
    native, projects = runtime
    conf = tmp_path / "web.conf"
    conf.write_text("setting = 1\n")
    web = _http_service(tmp_path, "web", free_port())
    web = dataclasses.replace(web, config_files=(conf,))
    other = _http_service(tmp_path, "other", free_port())
    project = Project("p", tmp_path, (web, other))
    projects.append(project)
    native.up(project, lambda e: None)
    before = {s.name: s.pid for s in native.status(project)}

    native.up(project, lambda e: None)  # nothing changed: both left alone
    assert {s.name: s.pid for s in native.status(project)} == before

    conf.write_text("setting = 2\n")
    native.up(project, lambda e: None)
    after = {s.name: s.pid for s in native.status(project)}
    assert after["web"] != before["web"]  # it reads the file only at start
    assert after["other"] == before["other"]
    native.up(project, lambda e: None)  # and the new content is now the known one
    assert {s.name: s.pid for s in native.status(project)} == after
