"""`plonedev up` with the Docker runtime: a real engine, real Plone, real Varnish.

One project per storage (FileStorage, ZEO, RelStorage), each with Varnish, checks all a
user would: the site through the backend and through Varnish (a second anonymous GET is
a cache hit; a PURGE from the host is refused, one from the project's network is not),
status and logs, and a document that survives `down` and `up`, where a code change
needs no image build. Then two projects at once, a taken port, a name already in use.
The images are the local stand-ins built by tests/images/build.sh (no registry here).
"""

from __future__ import annotations

import base64
import json
import secrets
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from plonedev.runtime.engine_probe import probe_engine
from tests.integration.plone_project import REPO, PlonedevProject, as_init_left_it, make_project

pytestmark = [pytest.mark.docker, pytest.mark.slow]

IMAGES = {
    "python": "plonedev-test/python:3.11",
    "postgres": "plonedev-test/postgres:15",
    "varnish": "plonedev-test/varnish:7",
}
GREETING = Path("sources/plonedev-demo/src/plonedev_demo/greeting.py")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # local: no proxy


@pytest.fixture(scope="session")
def stand_in_images() -> Iterator[list[str]]:
    """Skip without an engine; otherwise build the stand-ins (fast when they exist).

    Yields the list where tests note the backend images they build: removed at the end
    of the session, not after each test, so later builds reuse their layers.
    """
    probe = probe_engine()
    if not probe.answers:
        pytest.skip(f"no Docker engine answers ({probe.reason}); CI provisions one")
    done = subprocess.run(
        [str(REPO / "tests" / "images" / "build.sh"), "python", "postgres", "varnish"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"tests/images/build.sh failed:\n{done.stdout}\n{done.stderr}")
    built: list[str] = []
    yield built
    if built:
        subprocess.run(["docker", "image", "rm", "-f", *built], capture_output=True, check=False)


@dataclass
class DockerProject:
    project: PlonedevProject
    name: str

    @property
    def root(self) -> Path:
        return self.project.root

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.project.run(*args, check=check)

    def states(self) -> dict[str, str]:
        payload = json.loads(self.run("status", "--json").stdout)
        assert payload["runtime"] == "docker"
        return {s["name"]: s["state"] for s in payload["services"]}

    def url(self, service: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.project.ports[service]}{path}"

    def remove(self) -> None:
        """Containers and volumes: nothing of the test runs on (the image goes at the
        end of the session); no snapshot of the data before, it is a test's."""
        self.run("down", "--volumes", "--yes", "--no-snapshot", check=False)


def docker_project(
    tmp: Path, images: list[str], prefix: str, section: str = "", *, with_demo: bool = True
) -> DockerProject:
    """A copy of the demo project run by Docker, under a name no other test run uses
    (without the demo: as `plonedev init` leaves a project)."""
    name = f"{prefix}-{secrets.token_hex(3)}"
    images.append(f"{name}-backend:dev")
    tmp.mkdir(parents=True, exist_ok=True)
    images = "\n".join(f'{key} = "{value}"' for key, value in IMAGES.items())
    project = make_project(
        tmp,
        f'name = "{name}"\nruntime = "docker"\n{section}\n[tool.plonedev.images]\n{images}\n',
        with_demo=with_demo,
    )
    if not with_demo:
        as_init_left_it(project)
    return DockerProject(project, name)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def http(method: str, url: str, *, password: str = "", accept: str = "text/html") -> Answer:
    headers = {"Accept": accept}
    if password:
        token = base64.b64encode(f"admin:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=60) as response:
            return Answer(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers), exc.read().decode())
    except urllib.error.URLError as exc:  # nothing listens
        return Answer(0, {}, str(exc.reason))


def volumes(name: str) -> list[str]:
    done = subprocess.run(
        ["docker", "volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={name}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def purge_from_the_network(project: DockerProject) -> int:
    """PURGE sent by a container of the project (the backend) to Varnish."""
    code = (
        "import http.client; c = http.client.HTTPConnection('varnish', 80, timeout=10); "
        "c.request('PURGE', '/Plone'); print(c.getresponse().status)"
    )
    done = subprocess.run(
        ["docker", "compose", "-p", project.name, "exec", "-T", "backend", "python", "-c", code],
        cwd=project.root / "compose",
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip())


@pytest.fixture(params=["filestorage", "zeo", "relstorage"])
def storage_project(
    request: pytest.FixtureRequest, tmp_path: Path, stand_in_images: list[str]
) -> Iterator[DockerProject]:
    project = docker_project(
        tmp_path,
        stand_in_images,
        f"pdt-{request.param[:3]}",
        f'storage = "{request.param}"\nvarnish = true',
    )
    yield project
    project.remove()


def test_up_serves_plone_through_varnish_and_keeps_data(storage_project: DockerProject) -> None:
    project = storage_project
    first = project.run("up")
    assert "site created" in first.stdout, first.stdout
    password = project.project.password
    site = project.url("backend", "/Plone")

    # The generated Compose file says so, and Compose accepts it.
    compose_file = project.root / "compose" / "compose.yaml"
    assert "Generated by plonedev" in compose_file.read_text().splitlines()[0]
    subprocess.run(
        ["docker", "compose", "-f", str(compose_file), "config", "-q"], check=True, timeout=60
    )

    # The backend, with the demo add-on from sources/ installed by the site's profile.
    answer = http("GET", f"{site}/++api++", accept="application/json")
    assert answer.status == 200 and json.loads(answer.body)["@id"] == site
    assert http("GET", f"{site}/@@demo-hello").body == "Hello from plonedev-demo: hello"
    info = json.loads(http("GET", f"{site}/++api++/@demo-info", accept="application/json").body)
    assert info["addon"] == "plonedev-demo"

    # Through Varnish: the second anonymous GET is a hit; the host may not purge.
    page = project.url("varnish", "/Plone")
    assert http("GET", page).headers.get("X-Cache") == "MISS"
    second = http("GET", page)
    assert (second.status, second.headers.get("X-Cache")) == (200, "HIT")
    assert http("PURGE", page).status == 405
    assert purge_from_the_network(project) == 200
    assert http("GET", page).headers.get("X-Cache") == "MISS"  # purged
    # Authenticated requests are passed to the backend, never cached.
    for _ in range(2):
        assert http("GET", page, password=password).headers.get("X-Cache") == "MISS"

    states = project.states()
    assert set(states.values()) == {"running"}, states
    logs = [line for line in project.run("logs", "backend", "-n", "5").stdout.splitlines() if line]
    assert logs and all(line.startswith("backend") for line in logs), logs

    created = urllib.request.Request(
        f"{site}/++api++",
        data=json.dumps({"@type": "Document", "id": "kept", "title": "Kept"}).encode(),
        headers={
            "Accept": "application/json",
            "Content-Type": "application/json",
            "Authorization": "Basic " + base64.b64encode(f"admin:{password}".encode()).decode(),
        },
        method="POST",
    )
    with _OPENER.open(created, timeout=60) as response:
        assert response.status == 201

    project.run("down")
    assert set(project.states().values()) == {"stopped"}
    assert http("GET", f"{site}/++api++").status == 0
    assert volumes(project.name)  # the data stays

    # A code change: the next `up` builds nothing, and serves the new code.
    (project.root / GREETING).write_text('GREETING = "changed without a build"\n')
    second_up = project.run("up")
    assert "site ready" in second_up.stdout
    assert "Built the backend image" not in second_up.stdout
    kept = http("GET", f"{site}/++api++/kept", password=password, accept="application/json")
    assert kept.status == 200 and json.loads(kept.body)["title"] == "Kept"
    assert http("GET", f"{site}/@@demo-hello").body.endswith("changed without a build")


def test_two_projects_side_by_side_a_taken_port_and_a_name_in_use(
    tmp_path: Path, stand_in_images: list[str]
) -> None:
    first = docker_project(tmp_path / "a", stand_in_images, "pdt-one")
    second = docker_project(tmp_path / "b", stand_in_images, "pdt-two")
    taken = docker_project(tmp_path / "c", stand_in_images, "pdt-port")
    try:
        first.run("up")
        second.run("up")
        for project in (first, second):
            answer = http(
                "GET", project.url("backend", "/Plone/++api++"), accept="application/json"
            )
            assert answer.status == 200
            assert project.states() == {"backend": "running"}
        assert first.project.password != second.project.password

        # A port another program holds (here: the first project) is named, with the fix.
        pyproject = taken.root / "pyproject.toml"
        port = first.project.ports["backend"]
        pyproject.write_text(
            pyproject.read_text().replace(
                f"backend = {taken.project.ports['backend']}", f"backend = {port}"
            )
        )
        failed = taken.run("up", check=False)
        assert failed.returncode == 2, failed.stdout + failed.stderr
        assert f"port {port} on 127.0.0.1" in failed.stderr
        assert "already in use" in failed.stderr and "tool.plonedev.ports" in failed.stderr
        # ... and so is one a plain program listens on.
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            held = listener.getsockname()[1]
            pyproject.write_text(
                pyproject.read_text().replace(f"backend = {port}", f"backend = {held}")
            )
            failed = taken.run("up", check=False)
        assert failed.returncode == 2 and f"port {held} on 127.0.0.1" in failed.stderr

        # The same Compose name in another folder would take the first project over.
        clash = tmp_path / "d" / "project"
        clash.parent.mkdir()
        subprocess.run(["cp", "-a", str(second.root), str(clash)], check=True)
        refused = subprocess.run(
            [sys.executable, "-m", "plonedev", "status"],
            cwd=clash,
            capture_output=True,
            text=True,
            check=False,
        )
        assert refused.returncode == 2
        assert f"is used by the project in {second.root / 'compose'}" in refused.stderr

        # Deleting data asks first; without a terminal it wants --yes.
        refused = first.run("down", "--volumes", check=False)
        assert refused.returncode == 2 and "--yes" in refused.stderr
        assert http("GET", first.url("backend", "/Plone")).status == 200
    finally:
        for project in (first, second, taken):
            project.remove()
    assert volumes(first.name) == []


def test_up_backend_starts_the_backend_and_its_database_only(
    tmp_path: Path, stand_in_images: list[str]
) -> None:
    project = docker_project(
        tmp_path, stand_in_images, "pdt-only", 'storage = "zeo"\nvarnish = true'
    )
    try:
        project.run("up", "backend")
        assert project.states() == {"zeo": "running", "backend": "running", "varnish": "stopped"}
        answer = http("GET", project.url("backend", "/Plone/++api++"), accept="application/json")
        assert answer.status == 200
        assert http("GET", project.url("varnish", "/Plone")).status == 0
    finally:
        project.remove()
