"""snapshot and restore against a real Plone, natively, on FileStorage and on ZEO.

A Document and a File (a blob) are created over plone.restapi, a snapshot is taken while
the site runs, the document is changed and the file deleted; `restore --yes` brings
both back as they were (checked over HTTP) and the backend runs again. `down --volumes`
saves the data in an automatic snapshot first, which restores.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest

from tests.integration.plone_project import PlonedevProject, make_native_init_project

pytestmark = pytest.mark.slow

BLOB = b"the file's bytes, kept in a blob\n" * 100


@pytest.fixture(scope="module", params=["filestorage", "zeo"])
def project(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlonedevProject]:
    storage = request.param
    project = make_native_init_project(tmp_path_factory.mktemp(storage), f'storage = "{storage}"')
    project.run("up", "backend")
    yield project
    project.run("down", check=False)


def _call(
    project: PlonedevProject, method: str, path: str, body: dict[str, object] | None = None
) -> dict[str, object]:
    status, text = project.request(method, f"{project.backend}/Plone{path}", body, auth=True)
    assert status in (200, 201, 204), (method, path, status, text)
    return json.loads(text) if text else {}


def test_restore_brings_back_a_changed_document_and_a_deleted_file(
    project: PlonedevProject,
) -> None:
    _call(project, "POST", "", {"@type": "Document", "id": "doc", "title": "Before"})
    file = {
        "data": base64.b64encode(BLOB).decode(),
        "encoding": "base64",
        "filename": "kept.txt",
        "content-type": "text/plain",
    }
    _call(project, "POST", "", {"@type": "File", "id": "kept", "title": "Kept", "file": file})

    started = time.monotonic()
    taken = project.run("snapshot", "before")
    print(f"\nsnapshot: {time.monotonic() - started:.1f} s ({taken.stdout.strip()})")
    listed = json.loads(project.run("snapshots", "--json").stdout)
    assert [s["name"] for s in listed["snapshots"]] == ["before"]
    assert listed["snapshots"][0]["plone"].startswith("6.")

    _call(project, "PATCH", "/doc", {"title": "After"})
    _call(project, "DELETE", "/kept")
    assert project.request("GET", f"{project.backend}/Plone/kept", auth=True)[0] == 404

    started = time.monotonic()
    restored = project.run("restore", "before", "--yes")
    print(f"restore: {time.monotonic() - started:.1f} s ({restored.stdout.strip()})")

    assert _call(project, "GET", "/doc")["title"] == "Before"
    status, body = project.request(
        "GET", f"{project.backend}/Plone/kept/@@download/file", auth=True, accept="*/*"
    )
    assert (status, body.encode()) == (200, BLOB)
    states = json.loads(project.run("status", "--json").stdout)["services"]
    assert all(s["state"] == "running" for s in states), states


def test_down_volumes_leaves_a_snapshot_that_restores(project: PlonedevProject) -> None:
    _call(project, "PATCH", "/doc", {"title": "Saved by down --volumes"})
    done = project.run("down", "--volumes", "--yes")
    assert "Deleted the data" in done.stdout
    listed = json.loads(project.run("snapshots", "--json").stdout)["snapshots"]
    (saved,) = [s for s in listed if s["taken_before"] == "down --volumes"]
    # Nothing runs and there is no data: restore puts it back, `up` starts on it.
    project.run("restore", saved["name"], "--yes")
    project.run("up", "backend")
    assert _call(project, "GET", "/doc")["title"] == "Saved by down --volumes"
    status, body = project.request(
        "GET", f"{project.backend}/Plone/kept/@@download/file", auth=True, accept="*/*"
    )
    assert (status, body.encode()) == (200, BLOB)
