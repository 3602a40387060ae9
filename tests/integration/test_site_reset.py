"""`plonedev site reset` on a real Plone: the site starts again, nothing else changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.plone_project import PlonedevProject, make_project
from tests.integration.test_compose import docker_project, stand_in_images

pytestmark = pytest.mark.slow
__all__ = ["stand_in_images"]  # the session fixture that builds the stand-in images


@pytest.fixture
def project(tmp_path: Path) -> Iterator[PlonedevProject]:
    project = make_project(tmp_path, 'runtime = "native"\ndistribution = "classic"')
    project.run("up")
    yield project
    project.run("down", check=False)


def _add_document(project: PlonedevProject, title: str) -> str:
    status, body = project.request(
        "POST",
        f"{project.backend}/Plone",
        {"@type": "Document", "id": "kept-or-not", "title": title},
        auth=True,
    )
    assert status == 201, body
    return str(json.loads(body)["@id"])


def test_reset_empties_the_site_and_nothing_else(project: PlonedevProject) -> None:
    document = _add_document(project, "Before the reset")
    # Something beside the site, in the Zope root: a reset must leave it alone.
    status, _ = project.request(
        "POST",
        f"{project.backend}/manage_addProduct/OFSP/manage_addFolder?id=beside",
        auth=True,
    )
    assert status < 400
    password = project.password

    done = project.run("site", "reset", "--yes")
    assert "Deleted the site 'Plone'" in done.stdout

    assert project.request("GET", document, auth=True)[0] == 404
    status, body = project.request("GET", f"{project.backend}/Plone", auth=True)
    assert status == 200 and json.loads(body)["@type"] == "Plone Site"
    # The configured profile is installed again: the demo add-on's view answers.
    status, body = project.request(
        "GET", f"{project.backend}/Plone/@@demo-hello", accept="text/plain"
    )
    assert status == 200 and "Hello from plonedev-demo" in body
    assert project.request("GET", f"{project.backend}/beside", auth=True)[0] == 200
    assert project.password == password
    # The new site takes content as the old one did.
    _add_document(project, "After the reset")
    # The reset saved the old site first: restoring that snapshot brings it back.
    listed = json.loads(project.run("snapshots", "--json").stdout)["snapshots"]
    (saved,) = [s["name"] for s in listed if s["taken_before"] == "site reset"]
    project.run("restore", saved, "--yes", "--no-snapshot")
    assert project.request("GET", document, auth=True)[0] == 200


def test_reset_without_a_terminal_asks_for_yes_and_deletes_nothing(
    project: PlonedevProject,
) -> None:
    document = _add_document(project, "Kept")
    done = project.run("site", "reset", check=False)
    assert done.returncode == 2
    assert "add --yes" in done.stderr and "Traceback" not in done.stderr
    assert project.request("GET", document, auth=True)[0] == 200


def test_reset_with_the_backend_down_says_to_start_it(tmp_path: Path) -> None:
    project = make_project(tmp_path, 'runtime = "native"')
    done = project.run("site", "reset", "--yes", check=False)
    assert done.returncode == 2
    assert "plonedev up" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.docker
def test_reset_in_compose_recreates_the_site_in_the_running_backend(
    tmp_path: Path, stand_in_images: list[str]
) -> None:
    docker = docker_project(tmp_path, stand_in_images, "pdt-reset")
    try:
        docker.run("up")
        document = _add_document(docker.project, "Before the reset")
        done = docker.run("site", "reset", "--yes")
        assert "Deleted the site 'Plone'" in done.stdout
        assert docker.project.request("GET", document, auth=True)[0] == 404
        site = f"{docker.project.backend}/Plone"
        status, body = docker.project.request("GET", f"{site}/@@demo-hello", accept="text/plain")
        assert status == 200 and "Hello from plonedev-demo" in body
        assert set(docker.states().values()) == {"running"}
    finally:
        docker.remove()
