"""This repository's own project, as a new user meets it: a fresh clone, `plonedev up`.

The clone runs the backend with the demo add-on, the Volto frontend with the add-on's
Volto side, and Varnish in front of both; the page through Varnish shows the add-on's
marker. Its stack has the production shape: 2 frontends, 2 backends. Only what a test
must change is changed in the clone: free ports, and the native runtime (CI's Docker
engine cannot pull the images). What is cloned is the committed HEAD, and the plonedev
that runs is the clone's own (`python -m plonedev` in its folder).
Needs Node 20/22 and npm, Varnish, git, and the package registries.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit
import yaml

from plonedev.runtime.ports import free_port
from tests.integration.plone_project import REPO, PlonedevProject
from tests.integration.test_frontend_native import frontend_port, through_varnish, title_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(shutil.which("npm") is None, reason="needs Node.js and npm"),
]

MARKER = '<p id="plonedev-demo"'


@pytest.fixture
def clone(tmp_path: Path) -> Iterator[PlonedevProject]:
    if not (REPO / ".git").exists():
        pytest.skip("the repository is not a git checkout: nothing to clone")
    root = tmp_path / "plonedev"
    subprocess.run(["git", "clone", "-q", str(REPO), str(root)], check=True, timeout=120)
    ports = {"backend": free_port(), "varnish": free_port(), "frontend": frontend_port()}
    pyproject = root / "pyproject.toml"
    document = tomlkit.parse(pyproject.read_text())
    section = document["tool"]["plonedev"]
    section["runtime"] = "native"
    section["ports"] = ports
    pyproject.write_text(tomlkit.dumps(document))
    project = PlonedevProject(root, ports)
    yield project
    project.run("down", check=False)


def test_up_in_a_fresh_clone_runs_backend_frontend_and_varnish(clone: PlonedevProject) -> None:
    started = time.monotonic()
    up = clone.run("up", timeout=1500)
    seconds = time.monotonic() - started
    print(f"--- plonedev up in a fresh clone, {seconds:.0f} s\n{up.stdout}")
    for service in ("backend", "frontend", "varnish"):
        assert f"{service} healthy" in up.stdout, up.stdout
    varnish = f"http://127.0.0.1:{clone.ports['varnish']}"
    assert f"{varnish}/" in up.stdout

    # The backend, with the demo add-on active.
    status, body = clone.request("GET", f"{clone.backend}/Plone/++api++/@demo-info")
    assert status == 200, body
    assert json.loads(body)["addon"] == "plonedev-demo"
    # The frontend itself, rendering the site with the add-on's Volto side.
    status, html = clone.request(
        "GET", f"http://127.0.0.1:{clone.ports['frontend']}/", accept="text/html"
    )
    assert status == 200
    assert MARKER in html and "plonedev demo" in html
    # Through Varnish, as a browser gets it: the page with the marker, and the API.
    status, html = through_varnish(clone, f"{varnish}/")
    assert status == 200, html[-500:]
    assert "plonedev demo" in html
    assert title_of(html)
    status, body = clone.request("GET", f"{varnish}/++api++/@demo-info")
    assert status == 200
    assert json.loads(body)["addon"] == "plonedev-demo"


def test_up_backend_is_the_api_alone_without_the_frontend_install(
    clone: PlonedevProject,
) -> None:
    up = clone.run("up", "backend")
    assert "backend healthy" in up.stdout
    assert "Frontend" not in up.stdout and "frontend" not in up.stdout, up.stdout
    assert not (clone.root / "frontend" / "node_modules").exists()  # pnpm never ran
    status, body = clone.request("GET", f"{clone.backend}/Plone/++api++/@demo-info")
    assert status == 200, body
    states = {
        s["name"]: s["state"] for s in json.loads(clone.run("status", "--json").stdout)["services"]
    }
    assert states == {"backend": "running", "frontend": "stopped", "varnish": "stopped"}


def test_its_stack_has_two_frontends_and_two_backends(clone: PlonedevProject) -> None:
    clone.run("export-stack", "--host", "www.example.org", "-o", "stack.yml")
    services = yaml.safe_load((clone.root / "stack.yml").read_text())["services"]
    assert services["frontend"]["deploy"]["replicas"] == 2
    assert services["backend"]["deploy"]["replicas"] == 2
    assert {"varnish", "postgres"} <= set(services)
