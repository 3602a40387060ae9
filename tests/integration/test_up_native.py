"""`plonedev up` with the native runtime: a real Plone, for FileStorage and for ZEO."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.plone_project import PlonedevProject, make_project, storage_folder

pytestmark = pytest.mark.slow


@pytest.fixture(params=["filestorage", "zeo", "relstorage"])
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PlonedevProject]:
    storage = request.param
    with storage_folder(storage, tmp_path) as base:
        project = make_project(base, f'storage = "{storage}"\nruntime = "native"')
        yield project
        project.run("down", check=False)


def _states(project: PlonedevProject) -> dict[str, str]:
    payload = json.loads(project.run("status", "--json").stdout)
    assert payload["version"] == 1
    assert payload["runtime"] == "native"
    return {s["name"]: s["state"] for s in payload["services"]}


def test_up_serves_the_site_and_keeps_its_data_across_down_and_up(
    project: PlonedevProject,
) -> None:
    first = project.run("up")
    assert "site created" in first.stdout
    assert project.password in first.stdout  # the credentials are printed
    site = f"{project.backend}/Plone"

    status, body = project.request("GET", f"{site}/++api++")
    assert status == 200
    assert json.loads(body)["@id"] == site

    states = _states(project)
    assert states["backend"] == "running"
    storage_service = {"zeo": "zeo", "postgres": "postgres"}
    for name in storage_service:
        if (project.root / "var" / name).exists():
            assert states[name] == "running"

    # The demo add-on from sources/ is installed and its code answers.
    status, body = project.request("GET", f"{site}/@@demo-hello", accept="text/plain")
    assert (status, body) == (200, "Hello from plonedev-demo: hello")
    status, body = project.request("GET", f"{site}/++api++/@demo-info")
    assert status == 200
    assert json.loads(body)["addon"] == "plonedev-demo"

    status, _ = project.request(
        "POST", f"{site}/++api++", {"@type": "Document", "id": "kept", "title": "Kept"}, auth=True
    )
    assert status == 201

    project.run("down")
    assert set(_states(project).values()) == {"stopped"}
    status, _ = project.request("GET", f"{site}/++api++")
    assert status == 0  # nothing listens any more

    second = project.run("up")
    assert "site ready" in second.stdout
    status, body = project.request("GET", f"{site}/++api++/kept", auth=True)  # private
    assert status == 200
    assert json.loads(body)["title"] == "Kept"
