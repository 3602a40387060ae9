"""What a new user meets first, with real services: the runtime a project was started
in sticks (a Docker engine answers here), `up SERVICE`, taken default ports, `ls`, and
`down --all`. Native and classic FileStorage/ZEO projects, the cheapest that show it."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from plonedev.registry import STATE_DIR_VARIABLE
from plonedev.runtime.engine_probe import probe_engine
from plonedev.runtime.ports import port_is_free
from tests.integration.plone_project import PlonedevProject, make_project

pytestmark = pytest.mark.slow

CLASSIC = 'distribution = "classic"\n'


@pytest.fixture(autouse=True)
def _own_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATE_DIR_VARIABLE, str(tmp_path / "state"))


def _page(project: PlonedevProject, url: str) -> int:
    return project.request("GET", url, accept="text/html")[0]


def _states(project: PlonedevProject) -> tuple[str, dict[str, str]]:
    payload = json.loads(project.run("status", "--json").stdout)
    return payload["runtime"], {s["name"]: s["state"] for s in payload["services"]}


@pytest.fixture
def zeo_varnish(tmp_path: Path) -> Iterator[PlonedevProject]:
    project = make_project(tmp_path, f'{CLASSIC}storage = "zeo"\nvarnish = true', with_demo=False)
    yield project
    project.run("down", "--runtime", "native", check=False)


@pytest.mark.docker
def test_a_native_project_stays_native_when_an_engine_answers(
    zeo_varnish: PlonedevProject,
) -> None:
    if not probe_engine().answers:
        pytest.skip("no Docker engine answers (scripts/provision.sh starts one)")
    project = zeo_varnish
    up = project.run("up", "backend", "--runtime", "native")
    # `up backend`: the backend and its database, not Varnish in front of them.
    assert _page(project, f"{project.backend}/Plone") == 200
    assert "varnish" not in up.stdout
    # No --runtime from here on, while the engine answers: the native services are seen.
    runtime, states = _states(project)
    assert runtime == "native"
    assert states == {"zeo": "running", "backend": "running", "varnish": "stopped"}
    logs = project.run("logs", "backend", "-n", "50").stdout.splitlines()
    assert logs and all(line.startswith("backend | ") for line in logs)
    assert any("waitress" in line for line in logs)  # the native Zope's own log

    other = project.run("up", "--runtime", "docker", check=False)
    assert other.returncode == 2
    assert other.stderr.strip().splitlines() == [
        "Error: itest already runs in the native runtime — stop it with `plonedev down` "
        "first, then run `plonedev up --runtime docker`"
    ]

    down = project.run("down")
    assert "Stopped." in down.stdout
    assert _page(project, f"{project.backend}/Plone") == 0
    assert port_is_free("127.0.0.1", project.ports["zeo"])


def test_a_taken_default_port_moves_to_the_next_free_one_and_stays(tmp_path: Path) -> None:
    project = make_project(tmp_path, f'{CLASSIC}runtime = "native"', with_demo=False)
    pyproject = project.root / "pyproject.toml"
    # The backend keeps its default port, which a plain listener holds (or someone else).
    pyproject.write_text(
        "\n".join(
            line for line in pyproject.read_text().splitlines() if not line.startswith("backend")
        )
    )
    listener = socket.socket()
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", 8080))
            listener.listen()
        except OSError:
            pass  # taken by another program already: the same case
        assert not port_is_free("127.0.0.1", 8080)
        up = project.run("up")
        line = next(line for line in up.stdout.splitlines() if "backend uses port" in line)
        port = int(line.split("backend uses port ")[1].split(":")[0])
        assert port > 8080
        assert f"http://127.0.0.1:{port}/Plone" in up.stdout
        assert _page(project, f"http://127.0.0.1:{port}/Plone") == 200
        # Later commands know it; the next `up` keeps it.
        status = json.loads(project.run("status", "--json").stdout)
        backend = next(s for s in status["services"] if s["name"] == "backend")
        assert backend["url"] == f"http://127.0.0.1:{port}/Plone"
        assert backend["state"] == "running"
        again = project.run("up")
        assert f"http://127.0.0.1:{port}/Plone" in again.stdout
    finally:
        listener.close()
        project.run("down", check=False)


def test_ls_lists_the_running_projects_and_down_all_stops_them(tmp_path: Path) -> None:
    projects = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        project = make_project(tmp_path / name, f'{CLASSIC}runtime = "native"', with_demo=False)
        projects.append(project)
    try:
        for project in projects:
            project.run("up")
        listed = json.loads(projects[0].run("ls", "--json").stdout)["projects"]
        assert [(p["root"], p["runtime"], p["state"]) for p in listed] == [
            (str(p.root), "native", "running") for p in projects
        ]
        assert [p["urls"]["backend"] for p in listed] == [f"{p.backend}/Plone" for p in projects]

        down = projects[0].run("down", "--all")
        assert down.stdout.count("stopped backend") == 2
        for project in projects:
            assert _page(project, f"{project.backend}/Plone") == 0
        assert json.loads(projects[0].run("ls", "--json").stdout)["projects"] == []
    finally:
        for project in projects:
            project.run("down", check=False)
