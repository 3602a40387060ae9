"""snapshot and restore with the Docker runtime: a real engine, real Plone in Compose,
on each storage (FileStorage, ZEO, RelStorage).

A Document and a File (a blob) are created over plone.restapi, a snapshot is taken while
the site runs (repozo in the container holding the Data.fs volume, pg_dump in the
postgres one for RelStorage; streamed out as a tar), a document is
added and the file deleted; `restore --yes` brings the site back as it was (checked over
HTTP) after saving the data it replaces in an automatic snapshot, and the backend
runs again. A snapshot exported as an archive, then deleted, restores from the archive.
The images are the stand-ins of tests/images (see test_compose).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.plone_project import BLOB, add_document_and_file, site_call
from tests.integration.test_compose import DockerProject, docker_project, stand_in_images

pytestmark = [pytest.mark.docker, pytest.mark.slow]
__all__ = ["stand_in_images"]  # the session fixture that builds the stand-in images


@pytest.fixture(scope="module", params=["filestorage", "zeo", "relstorage"])
def project(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    stand_in_images: list[str],
) -> Iterator[DockerProject]:
    storage = request.param
    project = docker_project(
        tmp_path_factory.mktemp(f"snapshot-{storage}"),
        stand_in_images,
        f"pdt-snap-{storage[:3]}",
        f'storage = "{storage}"',
        with_demo=False,
    )
    project.run("up")
    yield project
    project.remove()


def _call(
    project: DockerProject, method: str, path: str, body: dict[str, object] | None = None
) -> dict[str, object]:
    return site_call(project.project, method, path, body)


def _status(project: DockerProject, path: str) -> int:
    return project.project.request("GET", f"{project.project.backend}/Plone{path}", auth=True)[0]


def _blob(project: DockerProject) -> bytes:
    status, body = project.project.request(
        "GET", f"{project.project.backend}/Plone/kept/@@download/file", auth=True, accept="*/*"
    )
    assert status == 200, body
    return body.encode()


def _timed(project: DockerProject, what: str, *args: str) -> None:
    started = time.monotonic()
    done = project.run(*args)
    print(f"\n{what}: {time.monotonic() - started:.1f} s ({done.stdout.strip()})")


def test_restore_brings_back_the_site_as_it_was(project: DockerProject) -> None:
    add_document_and_file(project.project)

    _timed(project, "snapshot", "snapshot", "before")
    folder = project.root / "var" / "snapshots" / "before"
    manifest = json.loads((folder / "manifest.json").read_text())
    # The native layout of each storage: a snapshot moves between the runtimes.
    if manifest["storage"] == "relstorage":
        assert (folder / "database.dump").stat().st_size > 0  # the blobs are in it
    else:
        assert any((folder / "repozo").glob("*.fs"))
        assert BLOB in [p.read_bytes() for p in (folder / "blobstorage").rglob("*.blob")]
    assert manifest["plone"].startswith("6.")  # read in the backend's image

    _call(project, "POST", "", {"@type": "Document", "id": "added", "title": "Added"})
    _call(project, "PATCH", "/doc", {"title": "After"})
    _call(project, "DELETE", "/kept")

    _timed(project, "restore", "restore", "before", "--yes")
    assert _status(project, "/added") == 404
    assert _call(project, "GET", "/doc")["title"] == "Before"
    assert _blob(project) == BLOB
    assert set(project.states().values()) == {"running"}

    listed = json.loads(project.run("snapshots", "--json").stdout)["snapshots"]
    assert [s["taken_before"] for s in listed] == ["", "restore"]  # the data it replaced


def test_an_exported_snapshot_restores_from_its_archive_alone(
    project: DockerProject, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar.gz"
    project.run("snapshot", "exported", "--export", str(archive))
    project.run("snapshot", "--delete", "exported")
    _call(project, "POST", "", {"@type": "Document", "id": "later", "title": "Later"})

    _timed(project, "restore --import", "restore", "--import", str(archive), "--yes")
    assert _status(project, "/later") == 404
    assert _call(project, "GET", "/doc")["title"] == "Before"
    assert set(project.states().values()) == {"running"}
