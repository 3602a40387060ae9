"""snapshot, snapshots and restore against the fakes, with a stand-in repozo (a copy)
and a venv python that names the packages: the commands' decisions, the manifest, and
that bad input changes nothing (the real thing: tests/integration/test_snapshot_native.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plonedev.backend.snapshot import MANIFEST, snapshots_dir
from plonedev.cli.app import app
from plonedev.commands.snapshot import restore, snapshot, snapshots
from plonedev.commands.up import up
from plonedev.errors import PlonedevError
from plonedev.report import QuietReporter
from tests.conftest import write_pyproject
from tests.unit.commands.conftest import FakeProject
from tests.unit.commands.fakes import install_fake_backup_tools


@pytest.fixture
def with_data(fake: FakeProject, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    fake.configure('addons = ["collective.foo==1.2"]\n')
    up(fake.root, QuietReporter())
    install_fake_backup_tools(fake.paths)
    _write_data(fake, b"version 1", b"blob 1")
    fake.runtime.calls.clear()
    monkeypatch.chdir(fake.root)
    return fake


def _write_data(project: FakeProject, data: bytes, blob: bytes) -> None:
    paths = project.paths
    paths.filestorage.parent.mkdir(parents=True, exist_ok=True)
    paths.filestorage.write_bytes(data)
    paths.filestorage.with_name("Data.fs.index").write_bytes(b"index of " + data)
    (paths.blobstorage / "0x01").mkdir(parents=True, exist_ok=True)
    # A new file, as ZODB writes a blob (never in place: snapshots hard-link them).
    (paths.blobstorage / "0x01" / "a.blob").unlink(missing_ok=True)
    (paths.blobstorage / "0x01" / "a.blob").write_bytes(blob)


def _data(project: FakeProject) -> dict[str, bytes]:
    return {k: v for k, v in project.snapshot().items() if k.startswith("var/") and "snap" not in k}


def test_snapshot_copies_the_data_and_writes_the_manifest(with_data: FakeProject) -> None:
    (with_data.paths.blobstorage / "tmp").mkdir()
    (with_data.paths.blobstorage / "tmp" / "upload").write_bytes(b"not committed")
    result = snapshot(with_data.root, "before")
    folder = snapshots_dir(with_data.paths) / "before"
    assert (folder / "repozo" / "full.fs").read_bytes() == b"version 1"
    blob = folder / "blobstorage" / "0x01" / "a.blob"
    assert blob.read_bytes() == b"blob 1"
    assert blob.stat().st_ino == (with_data.paths.blobstorage / "0x01" / "a.blob").stat().st_ino
    assert not (folder / "blobstorage" / "tmp").exists()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["storage"] == "filestorage"
    assert manifest["plone"] == "6.2.2"
    assert manifest["addons"] == {"collective.foo": "1.2"}
    assert manifest["sizes"] == {"data": 9, "blobs": 6}
    assert manifest["created"].endswith("+00:00")
    assert result.manifest.name == "before"
    assert with_data.runtime.calls == []  # taken while the site runs


def test_the_default_name_is_the_utc_time_and_the_list_is_oldest_first(
    with_data: FakeProject,
) -> None:
    first = snapshot(with_data.root).manifest
    assert len(first.name) == len("20261203T070500Z") and first.name.endswith("Z")
    snapshot(with_data.root, "second")
    assert [m.name for m in snapshots(with_data.root) if not isinstance(m, Exception)] == [
        first.name,
        "second",
    ]


def test_restore_stops_the_backend_puts_the_data_back_and_starts_it(
    with_data: FakeProject,
) -> None:
    snapshot(with_data.root, "before")
    before = _data(with_data)
    _write_data(with_data, b"version 2", b"blob 2")
    (with_data.paths.blobstorage / "0x01" / "new.blob").write_bytes(b"added later")
    result = restore(with_data.root, "before", QuietReporter())
    after = _data(with_data)
    assert after == {k: v for k, v in before.items() if not k.endswith(".index")}
    assert with_data.runtime.calls == ["stop backend", "up backend"]
    assert result.restarted == ["backend"]
    assert with_data.runtime.alive == {"backend"}


def test_restore_with_the_backend_stopped_starts_nothing(with_data: FakeProject) -> None:
    snapshot(with_data.root, "before")
    _write_data(with_data, b"version 2", b"blob 2")
    with_data.runtime.alive.clear()
    assert restore(with_data.root, "before", QuietReporter()).restarted == []
    assert not [call for call in with_data.runtime.calls if call.startswith("up")]
    assert not with_data.runtime.alive
    assert with_data.paths.filestorage.read_bytes() == b"version 1"


def test_a_taken_name_or_no_database_yet_is_refused(with_data: FakeProject) -> None:
    snapshot(with_data.root, "before")
    with pytest.raises(PlonedevError, match="a snapshot named 'before' exists"):
        snapshot(with_data.root, "before")
    with_data.paths.filestorage.unlink()
    with pytest.raises(PlonedevError, match="no database to snapshot"):
        snapshot(with_data.root, "other")
    assert not (snapshots_dir(with_data.paths) / "other").exists()


def test_a_failed_backup_leaves_no_half_snapshot(with_data: FakeProject) -> None:
    (with_data.paths.venv_bin / "repozo").write_text("#!/bin/sh\nexit 1\n")
    with pytest.raises(PlonedevError, match="repozo backing up failed"):
        snapshot(with_data.root, "half")
    assert list(snapshots_dir(with_data.paths).iterdir()) == []


def test_a_failed_restore_keeps_the_data_and_starts_the_backend_again(
    with_data: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot(with_data.root, "before")
    _write_data(with_data, b"version 2", b"blob 2")
    current = _data(with_data)
    monkeypatch.setenv("REPOZO_FAILS", "1")
    with pytest.raises(PlonedevError, match="repozo restoring failed"):
        restore(with_data.root, "before", QuietReporter())
    assert _data(with_data) == current
    assert with_data.runtime.alive == {"backend"}
    assert not with_data.paths.filestorage.with_name("Data.fs.restoring").exists()


_FULL = "OSError: [Errno 28] No space left on device"


def test_a_full_disk_is_one_line_that_says_so_and_changes_nothing(
    with_data: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    CliRunner().invoke(app, ["snapshot", "before"])
    _write_data(with_data, b"version 2", b"blob 2")
    current = with_data.snapshot()
    monkeypatch.setenv("REPOZO_BACKUP_FAILS", _FULL)
    monkeypatch.setenv("REPOZO_FAILS", _FULL)
    for args, problem in (
        (["snapshot", "full"], "no space left on the disk for snapshot 'full' in "),
        (["restore", "before", "--yes", "--no-snapshot"], "no space left on the disk to restore"),
    ):
        done = CliRunner().invoke(app, args)
        assert done.exit_code == 2, done.output
        (line,) = done.stderr.strip().splitlines()
        assert problem in line and line.endswith(" — free some disk space"), line
        assert with_data.snapshot() == current
        assert with_data.runtime.alive == {"backend"}


def _break(project: FakeProject, how: str) -> str:
    snapshot(project.root, "snap")
    manifest = snapshots_dir(project.paths) / "snap" / MANIFEST
    if how == "missing":
        manifest.unlink()
    elif how == "corrupt":
        manifest.write_text("{not json")
    elif how == "zeo":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "storage": "zeo"}))
    return "snap"


@pytest.mark.parametrize(
    ("args", "how", "expected"),
    [
        (["restore", "nope", "--yes"], "", "no snapshot named 'nope'"),
        (["restore", "../var", "--yes"], "", "invalid snapshot name '../var'"),
        (["restore", "snap", "--yes"], "missing", "has no manifest.json"),
        (["restore", "snap", "--yes"], "corrupt", "has a corrupt manifest.json"),
        (["restore", "snap", "--yes"], "zeo", "converting between storages is not done yet"),
        (["restore", "snap"], "ok", "add --yes to confirm without a prompt"),
        (["restore"], "", "give one of a snapshot NAME, --latest or --import FILE"),
        (["snapshot", "a/b"], "", "invalid snapshot name 'a/b'"),
        (["snapshot", "--delete", "nope"], "", "no snapshot named 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    with_data: FakeProject, args: list[str], how: str, expected: str
) -> None:
    if how:
        _break(with_data, how)
    before = with_data.snapshot()
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert with_data.snapshot() == before
    assert with_data.runtime.calls == []


def test_snapshots_lists_a_broken_one_and_delete_removes_it(with_data: FakeProject) -> None:
    _break(with_data, "missing")
    listed = CliRunner().invoke(app, ["snapshots", "--json"])
    assert listed.exit_code == 0, listed.output
    payload = json.loads(listed.output)
    assert payload["snapshots"] == [] and "has no manifest.json" in payload["broken"][0]
    deleted = CliRunner().invoke(app, ["snapshot", "--delete", "snap"])
    assert deleted.exit_code == 0, deleted.output
    assert not (snapshots_dir(with_data.paths) / "snap").exists()


def test_restore_latest_through_the_cli(with_data: FakeProject) -> None:
    snapshot(with_data.root, "old")
    _write_data(with_data, b"version 2", b"blob 2")
    snapshot(with_data.root, "new")
    _write_data(with_data, b"version 3", b"blob 3")
    result = CliRunner().invoke(app, ["restore", "--latest", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored new" in result.output
    assert Path(with_data.paths.filestorage).read_bytes() == b"version 2"


def test_restore_latest_skips_a_newer_snapshot_of_another_storage(with_data: FakeProject) -> None:
    snapshot(with_data.root, "mine")
    _write_data(with_data, b"version 2", b"blob 2")
    _break(with_data, "zeo")  # "snap", newer, taken when the project ran ZEO
    result = CliRunner().invoke(app, ["restore", "--latest", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Restored mine" in result.output


def test_restore_saves_the_current_data_first_and_latest_prefers_a_snapshot_by_hand(
    with_data: FakeProject,
) -> None:
    snapshot(with_data.root, "before")
    _write_data(with_data, b"version 2", b"blob 2")
    restore(with_data.root, "before", QuietReporter())
    names = [m.name for m in snapshots(with_data.root) if not isinstance(m, Exception)]
    assert names[0] == "before" and names[1].endswith("-before-restore")
    # The automatic one holds what the restore replaced: the restore can be undone.
    restore(with_data.root, names[1], QuietReporter(), take_snapshot=False)
    assert with_data.paths.filestorage.read_bytes() == b"version 2"
    # --latest: the newest taken by hand, not the automatic one the restore just took.
    result = CliRunner().invoke(app, ["restore", "--latest", "--yes", "--no-snapshot"])
    assert result.exit_code == 0, result.output
    assert "Restored before" in result.output
    assert len(snapshots(with_data.root)) == 2  # --no-snapshot took none


def test_only_the_newest_automatic_snapshots_are_kept(with_data: FakeProject) -> None:
    with_data.configure('addons = ["collective.foo==1.2"]\nsnapshot-keep = 2\n')
    snapshot(with_data.root, "by-hand")
    for n in range(4):
        _write_data(with_data, f"version {n}".encode(), b"blob")
        restore(with_data.root, "by-hand", QuietReporter())
    kept = [m for m in snapshots(with_data.root) if not isinstance(m, Exception)]
    assert kept[0].name == "by-hand"  # never deleted by the retention
    automatic = [m for m in kept if m.taken_before]
    assert len(automatic) == 2
    assert len({m.name for m in automatic}) == 2  # the same second gives distinct names
    # the two newest: the data each restore replaced, the last one's "version 3"
    last = snapshots_dir(with_data.paths) / automatic[-1].name / "repozo" / "full.fs"
    assert last.read_bytes() == b"version 3"


def test_snapshots_are_listed_and_deleted_whatever_runtime_would_run(
    with_data: FakeProject,
) -> None:
    snapshot(with_data.root, "kept")
    snapshot(with_data.root, "gone")
    # After `down`, auto-detection may pick Docker: the list is the same folder.
    write_pyproject(with_data.root, 'runtime = "docker"\n')
    result = CliRunner().invoke(app, ["snapshot", "--delete", "gone"])
    assert result.exit_code == 0, result.output
    listed = CliRunner().invoke(app, ["snapshots", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [s["name"] for s in json.loads(listed.stdout)["snapshots"]] == ["kept"]
