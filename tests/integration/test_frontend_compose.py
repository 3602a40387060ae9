"""The Volto frontend with the Docker runtime: the dev server in a node container.

The same proof as the native test, in Compose: the install job fetches Volto and runs
pnpm into a named volume, the dev server starts once the backend is healthy (the site
job ran before it), the home page and a document render with their titles, a change to
the add-on is served without restarting the container; then `create-addon --frontend`
runs the install job again and restarts the container, and the new add-on's page
renders. The images are the stand-ins of tests/images (no registry here).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from plonedev.runtime.engine_probe import probe_engine
from tests.integration.plone_project import REPO, PlonedevProject, make_project
from tests.integration.test_frontend_native import (
    ADDON,
    INDEX,
    MARKER,
    SITE_TITLE,
    check_volto_pages_are_purged,
    created_frontend_addon,
    frontend_port,
    through_varnish,
    title_of,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.timeout(2400)]

IMAGES = {
    "python": "plonedev-test/python:3.11",
    "node": "plonedev-test/node:22",
    "varnish": "plonedev-test/varnish:7",
}


@pytest.fixture(scope="module")
def stand_in_images() -> None:
    probe = probe_engine()
    if not probe.answers:
        pytest.skip(f"no Docker engine answers ({probe.reason}); CI provisions one")
    done = subprocess.run(
        [str(REPO / "tests" / "images" / "build.sh"), "python", "node", "varnish"],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"tests/images/build.sh failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture
def project(tmp_path: Path, stand_in_images: None) -> Iterator[tuple[PlonedevProject, str]]:
    name = f"fe-{secrets.token_hex(3)}"
    images = "\n".join(f'{key} = "{value}"' for key, value in IMAGES.items())
    project = make_project(
        tmp_path,
        f'name = "{name}"\nruntime = "docker"\nvarnish = true\nsite-title = "{SITE_TITLE}"\n\n'
        f"[tool.plonedev.images]\n{images}\n",
    )
    port = frontend_port()
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"frontend = {port}\n")  # in [ports]
    project.ports["frontend"] = port
    yield project, name
    project.run("down", "--volumes", "--yes", check=False)
    subprocess.run(["docker", "image", "rm", f"{name}-backend:dev"], capture_output=True)


def _get(project: PlonedevProject, path: str) -> tuple[int, str]:
    url = f"http://127.0.0.1:{project.ports['frontend']}{path}"
    return project.request("GET", url, accept="text/html")


def _started_at(name: str) -> str:
    done = subprocess.run(
        ["docker", "inspect", "-f", "{{.Id}} {{.State.StartedAt}}", f"{name}-frontend-1"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_compose_serves_the_site_through_a_volto_dev_server(
    project: tuple[PlonedevProject, str],
) -> None:
    plonedev, name = project
    plonedev.run("add-frontend", "--addon", ADDON)
    addon_src = plonedev.root / "frontend" / "packages" / ADDON / "src"
    (addon_src / "components").mkdir()
    (addon_src / "components" / "Marker.jsx").write_text(MARKER % "marker-before")
    (addon_src / "index.js").write_text(INDEX)

    out = plonedev.run("up").stdout
    assert out.index("backend healthy") < out.index("frontend starting")
    assert "frontend healthy" in out
    assert f"http://127.0.0.1:{plonedev.ports['frontend']}" in out
    compose = (plonedev.root / "compose" / "compose.yaml").read_text()
    assert "frontend-node-modules" in compose

    status, html = _get(plonedev, "/")
    assert status == 200
    assert title_of(html) == SITE_TITLE
    assert "marker-before" in html

    site = f"{plonedev.backend}/Plone"
    document = {"@type": "Document", "id": "proof", "title": "Rendered in a container"}
    assert plonedev.request("POST", f"{site}/++api++", document, auth=True)[0] == 201
    assert plonedev.request("POST", f"{site}/proof/@workflow/publish", auth=True)[0] == 200
    status, html = _get(plonedev, "/proof")
    assert (status, title_of(html)) == (200, "Rendered in a container")

    # Through Varnish's container: Volto at "/", ++api++ reaching the site.
    varnish = f"http://127.0.0.1:{plonedev.ports['varnish']}"
    status, html = through_varnish(plonedev, f"{varnish}/proof")
    assert (status, title_of(html)) == (200, "Rendered in a container"), html[-500:]
    status, body = plonedev.request("GET", f"{varnish}/++api++")
    assert (status, json.loads(body)["title"]) == (200, SITE_TITLE)
    # Plone purges Varnish's container: an edit is on the next page Volto renders.
    check_volto_pages_are_purged(plonedev)

    logs = plonedev.run("logs", "frontend", "--tail", "200").stdout
    assert "Volto started at 0.0.0.0" in logs

    started = _started_at(name)
    (addon_src / "components" / "Marker.jsx").write_text(MARKER % "marker-after")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and "marker-after" not in html:
        time.sleep(1)
        html = _get(plonedev, "/")[1]
    assert "marker-after" in html, plonedev.run("logs", "frontend", "--tail", "30").stdout
    assert _started_at(name) == started  # the same container, never restarted

    second = plonedev.run("up").stdout
    assert "frontend already running" in second
    # Nothing to do, and it says so: the site job does not run again.
    assert "site ready" in second and "site created" not in second, second
    assert plonedev.run("up").stdout.count("already running") == 3  # backend, frontend, varnish
    assert _started_at(name) == started
    states = {
        s["name"]: s["state"]
        for s in json.loads(plonedev.run("status", "--json").stdout)["services"]
    }
    assert states["frontend"] == "running"

    # A new add-on in the bind-mounted packages/: linked by the install job, in the volume.
    html = created_frontend_addon(plonedev, "volto-hello")
    assert "marker-after" in html
    assert _started_at(name) != started  # restarted: Volto reads its add-ons at start-up
