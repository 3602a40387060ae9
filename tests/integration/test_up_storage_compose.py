"""A changed `storage` with the site's data in the old one, with Compose and for real:
`up` decides from the project's named volumes, refuses in one line and starts or changes
nothing; `up --fresh` starts an empty site in ZEO and leaves FileStorage's volume alone,
so going back with --fresh finds the old site (the decisions:
tests/unit/commands/test_up_storage_compose.py; natively: test_up_storage_change.py).
The images are the stand-ins of tests/images (see test_compose).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.plone_project import set_storage, site_call
from tests.integration.test_compose import DockerProject, docker_project, stand_in_images

pytestmark = [pytest.mark.docker, pytest.mark.slow]
__all__ = ["stand_in_images"]  # the session fixture that builds the stand-in images


@pytest.fixture
def project(tmp_path: Path, stand_in_images: list[str]) -> Iterator[DockerProject]:
    project = docker_project(tmp_path, stand_in_images, "pdt-storage", with_demo=False)
    yield project
    project.remove()


def _listed(project: DockerProject, what: str) -> list[str]:
    """The project's volumes or running containers (`what`), by their names."""
    label = f"label=com.docker.compose.project={project.name}"
    name = "{{.Names}}" if what == "container" else "{{.Name}}"
    listed = subprocess.run(
        ["docker", what, "ls", "--format", name, "--filter", label],
        capture_output=True,
        text=True,
        check=True,
    )
    return sorted(name.removeprefix(f"{project.name}_") for name in listed.stdout.split())


def _volumes(project: DockerProject) -> list[str]:
    return _listed(project, "volume")


def _doc(project: DockerProject) -> int:
    url = f"{project.project.backend}/Plone/++api++/doc"
    return project.project.request("GET", url, auth=True)[0]


def test_a_changed_storage_is_refused_from_the_volumes_until_up_fresh(
    project: DockerProject,
) -> None:
    project.run("up")
    site_call(project.project, "POST", "", {"@type": "Document", "id": "doc", "title": "Mine"})
    project.run("down")
    assert _volumes(project) == ["backend-data"]

    set_storage(project.project, "zeo")
    refused = project.run("up", check=False)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert refused.stderr.strip() == (
        "Error: the site's data is in filestorage (the backend-data volume) but storage = "
        '"zeo" — set storage = "filestorage" back, or run `plonedev up --fresh` to start an '
        "empty site in zeo (the filestorage data stays in the backend-data volume)"
    )
    assert "Traceback" not in refused.stdout + refused.stderr
    assert _volumes(project) == ["backend-data"]  # nothing made
    assert _listed(project, "container") == []  # nothing started

    fresh = project.run("up", "--fresh")
    assert "site created" in fresh.stdout, fresh.stdout
    assert _doc(project) == 404  # an empty site, in ZEO
    assert _volumes(project) == ["backend-data", "zeo-data"]
    assert (project.root / "var" / "storage").read_text() == "zeo\n"
    project.run("down")

    set_storage(project.project, "filestorage")
    back = project.run("up", check=False)
    assert back.returncode == 2, back.stdout + back.stderr
    assert 'data is in zeo (the zeo-data volume) but storage = "filestorage"' in back.stderr
    project.run("up", "--fresh")
    assert _doc(project) == 200  # FileStorage's site, never deleted
    # `down --volumes` deletes the data of both storages, not only the current one's.
    project.run("down", "--volumes", "--yes", "--no-snapshot")
    assert _volumes(project) == []
