"""snapshot and restore against a real Plone, natively, on FileStorage, ZEO and RelStorage.

A Document and a File (a blob) are created over plone.restapi, a snapshot is taken while
the site runs, the document is changed and the file deleted; `restore --yes` brings
both back as they were (checked over HTTP) and the backend runs again. A snapshot taken
while documents are being written restores to a state the site had: the documents of a
prefix of the writes, each whole, and the catalog finds exactly those. `down --volumes`
saves the data in an automatic snapshot first, which restores. A snapshot exported as an
archive, then deleted, restores from the archive alone.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from plonedev.postgres import DATABASE, USER, find_program
from tests.integration.plone_project import (
    BLOB,
    PlonedevProject,
    add_document_and_file,
    make_native_init_project,
    storage_folder,
)
from tests.integration.plone_project import site_call as _call

pytestmark = pytest.mark.slow

WRITES = 40


@pytest.fixture(scope="module", params=["filestorage", "zeo", "relstorage"])
def project(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlonedevProject]:
    storage = request.param
    with storage_folder(storage, tmp_path_factory.mktemp(storage)) as base:
        project = make_native_init_project(base, f'storage = "{storage}"')
        project.run("up", "backend")
        yield project
        project.run("down", check=False)


def test_restore_brings_back_a_changed_document_and_a_deleted_file(
    project: PlonedevProject,
) -> None:
    add_document_and_file(project)

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


def test_an_exported_snapshot_restores_from_its_archive_alone(
    project: PlonedevProject, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar.gz"
    project.run("snapshot", "before", "--export", str(archive))
    project.run("snapshot", "--delete", "before")
    _call(project, "PATCH", "/doc", {"title": "Changed after the export"})
    _call(project, "DELETE", "/kept")

    started = time.monotonic()
    project.run("restore", "--import", str(archive), "--yes")
    size = archive.stat().st_size
    print(f"\nrestore --import: {time.monotonic() - started:.1f} s ({size} bytes)")
    assert _call(project, "GET", "/doc")["title"] == "Before"
    status, body = project.request(
        "GET", f"{project.backend}/Plone/kept/@@download/file", auth=True, accept="*/*"
    )
    assert (status, body.encode()) == (200, BLOB)


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


def _write_loop(project: PlonedevProject, written: list[int]) -> None:
    for i in range(WRITES):
        body = {"@type": "Document", "id": f"w-{i}", "title": f"W {i}", "description": "d" * i}
        _call(project, "POST", "", body)
        written.append(i)


def test_a_snapshot_taken_during_writes_restores_a_state_the_site_had(
    project: PlonedevProject,
) -> None:
    written: list[int] = []
    writer = threading.Thread(target=_write_loop, args=(project, written))
    writer.start()
    while len(written) < 5 and writer.is_alive():
        time.sleep(0.05)
    before = len(written)
    project.run("snapshot", "during")
    after = len(written) + 1  # one more may be committed, its answer still on the way
    writer.join()
    assert len(written) == WRITES
    project.run("restore", "during", "--yes")

    present = []
    for i in range(WRITES):
        status, text = project.request("GET", f"{project.backend}/Plone/w-{i}", auth=True)
        assert status in (200, 404), (i, status, text)
        if status == 200:
            document = json.loads(text)
            assert (document["title"], document["description"]) == (f"W {i}", "d" * i)
            present.append(i)
    # The writes were one after the other: a state the site had is a prefix of them.
    assert present == list(range(len(present))), present
    # ... and one while the snapshot was being taken.
    assert before <= len(present) <= after, (before, after, present)
    found = _call(project, "GET", "/@search?portal_type=Document&b_size=1000")
    ids = [item["@id"].rsplit("/", 1)[1] for item in _items(found)]
    catalogued = sorted(int(name[2:]) for name in ids if name.startswith("w-"))
    assert catalogued == present
    print(f"\nwritten: {before} before the snapshot, {after} after; restored: {len(present)}")


def _items(found: dict[str, object]) -> list[dict[str, str]]:
    items = found["items"]
    assert isinstance(items, list)
    return items


# A PostgreSQL connection: RelStorage only (no skip for the others: strict runs fail skips).
@pytest.mark.parametrize("project", ["relstorage"], indirect=True)
def test_restore_while_a_connection_holds_the_database_changes_nothing(
    project: PlonedevProject,
) -> None:
    assert "relstorage" in project.root.joinpath("pyproject.toml").read_text()
    _call(project, "POST", "", {"@type": "Document", "id": "held", "title": "Held"})
    project.run("snapshot", "held")
    _call(project, "PATCH", "/held", {"title": "Changed"})
    psql = find_program("psql")
    assert psql
    port = str(project.ports["postgres"])
    holder = subprocess.Popen(
        [psql, "-X", "-h", "127.0.0.1", "-p", port, "-U", USER, "-d", DATABASE,
         "-c", "SELECT pg_sleep(120)"],
    )  # fmt: skip
    try:
        time.sleep(1)
        refused = project.run("restore", "held", "--yes", check=False)
    finally:
        holder.kill()
        holder.wait()
    assert refused.returncode != 0
    assert "in use by another connection" in refused.stdout + refused.stderr
    assert _call(project, "GET", "/held")["title"] == "Changed"
    states = json.loads(project.run("status", "--json").stdout)["services"]
    assert all(s["state"] == "running" for s in states), states
