"""snapshot and restore against a real Plone, natively, on FileStorage, ZEO and RelStorage.

A Document and a File (a blob) are created over plone.restapi, a snapshot is taken while
the site runs, the document is changed and the file deleted; `restore --yes` brings
both back as they were (checked over HTTP) and the backend runs again. A snapshot taken
while documents are being written restores to a state the site had: the documents of a
prefix of the writes, each whole, and the catalog finds exactly those. `down --volumes`
saves the data in an automatic snapshot first, which restores. A snapshot exported as an
archive, then deleted, restores from the archive alone. On a full disk (a small tmpfs
over var/snapshots) a snapshot and a restore are refused in one line, and leave neither
a half snapshot nor changed data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _small_disk(folder: Path, size: int) -> Iterator[None]:
    """`folder` on a tmpfs of `size` bytes (root only: CI and the test machine are)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


# One FileStorage site is enough: the full disk is plonedev's to report, not the storage's.
@pytest.mark.parametrize("project", ["filestorage"], indirect=True)
def test_a_full_disk_is_one_line_and_leaves_no_half_snapshot_nor_changes(
    project: PlonedevProject, tmp_path: Path
) -> None:
    snapshots = project.root / "var" / "snapshots"
    listed = project.run("snapshots", "--json").stdout
    _call(project, "POST", "", {"@type": "Document", "id": "full", "title": "On a full disk"})
    project.run("snapshot", "fits")
    (snapshots / "fits").rename(tmp_path / "fits")
    size = sum(f.stat().st_size for f in (tmp_path / "fits").rglob("*") if f.is_file())
    # Room for that snapshot, not for a second one.
    with _small_disk(snapshots, size * 3 // 2):
        shutil.copytree(tmp_path / "fits", snapshots / "fits")
        started = time.monotonic()
        failures = [
            project.run("snapshot", "full", check=False),
            project.run("restore", "fits", "--yes", check=False),  # its automatic snapshot
        ]
        print(f"\nfull disk: snapshot and restore refused in {time.monotonic() - started:.1f} s")
        for done in failures:
            assert done.returncode == 2, done
            (line,) = done.stderr.strip().splitlines()
            assert "no space left on the disk for snapshot" in line, line
            assert "free some disk space" in line, line
        assert [p.name for p in snapshots.iterdir()] == ["fits"]
    assert project.run("snapshots", "--json").stdout == listed
    assert _call(project, "GET", "/full")["title"] == "On a full disk"
    states = json.loads(project.run("status", "--json").stdout)["services"]
    assert all(s["state"] == "running" for s in states), states
