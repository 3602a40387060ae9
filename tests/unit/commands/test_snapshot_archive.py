"""snapshot --export and restore --import against the fakes (stand-in repozo and venv
python): the archive carries a snapshot to another checkout, and an archive that is not
one, or cannot be restored here, is one line and changes nothing."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plonedev.backend.snapshot import MANIFEST, snapshots_dir
from plonedev.cli.app import app
from plonedev.commands.up import up
from plonedev.report import QuietReporter
from tests.unit.commands.conftest import FakeProject
from tests.unit.commands.fakes import install_fake_backup_tools


@pytest.fixture
def with_data(fake: FakeProject, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    up(fake.root, QuietReporter())
    install_fake_backup_tools(fake.paths)
    _write_data(fake, b"version 1")
    fake.runtime.calls.clear()
    monkeypatch.chdir(fake.root)
    return fake


def _write_data(project: FakeProject, data: bytes) -> None:
    paths = project.paths
    paths.filestorage.parent.mkdir(parents=True, exist_ok=True)
    paths.filestorage.write_bytes(data)
    (paths.blobstorage / "0x01").mkdir(parents=True, exist_ok=True)
    (paths.blobstorage / "0x01" / "a.blob").unlink(missing_ok=True)
    (paths.blobstorage / "0x01" / "a.blob").write_bytes(b"blob of " + data)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _listed() -> list[str]:
    code, output = _cli("snapshots", "--json")
    assert code == 0, output
    return [s["name"] for s in json.loads(output)["snapshots"]]


def test_an_exported_snapshot_restores_after_it_was_deleted(
    with_data: FakeProject, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar"
    assert _cli("snapshot", "before")[0] == 0
    code, output = _cli("snapshot", "before", "--export", str(archive))
    assert code == 0, output
    assert "before exported to" in output and "restore --import" in output
    _write_data(with_data, b"version 2")
    assert _cli("snapshot", "--delete", "before")[0] == 0

    code, output = _cli("restore", "--import", str(archive), "--yes")
    assert code == 0, output
    assert with_data.paths.filestorage.read_bytes() == b"version 1"
    assert (with_data.paths.blobstorage / "0x01" / "a.blob").read_bytes() == b"blob of version 1"
    assert "before" in _listed()  # and it stays, to restore again by name


def test_export_without_a_snapshot_of_that_name_takes_one_compressed(
    with_data: FakeProject, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar.gz"
    code, output = _cli("snapshot", "fresh", "--export", str(archive))
    assert code == 0, output
    assert "took and exported" in output
    assert _listed() == ["fresh"]
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
    assert f"fresh/{MANIFEST}" in names and "fresh/repozo/full.fs" in names
    assert not list(tmp_path.glob(".*partial"))


def test_export_to_a_file_that_exists_takes_no_snapshot(
    with_data: FakeProject, tmp_path: Path
) -> None:
    archive = tmp_path / "site.tar"
    archive.write_bytes(b"a colleague's file")
    code, output = _cli("snapshot", "--export", str(archive))
    assert code == 2, output
    assert f"{archive} exists" in output and len(output.strip().splitlines()) == 1
    assert archive.read_bytes() == b"a colleague's file"
    assert _listed() == []


def test_export_into_a_missing_folder_takes_no_snapshot(
    with_data: FakeProject, tmp_path: Path
) -> None:
    code, output = _cli("snapshot", "--export", str(tmp_path / "nope" / "site.tar"))
    assert code == 2, output
    assert f"no folder {tmp_path / 'nope'}" in output and len(output.strip().splitlines()) == 1
    assert _listed() == []


def _tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _exported(project: FakeProject, archive: Path, **manifest: str) -> Path:
    """An archive of snapshot `snap`, its manifest changed by `manifest`; `snap` deleted."""
    assert _cli("snapshot", "snap")[0] == 0
    path = snapshots_dir(project.paths) / "snap" / MANIFEST
    path.write_text(json.dumps({**json.loads(path.read_text()), **manifest}))
    assert _cli("snapshot", "snap", "--export", str(archive))[0] == 0
    assert _cli("snapshot", "--delete", "snap")[0] == 0
    return archive


def _bad_archive(project: FakeProject, tmp_path: Path, how: str) -> Path:
    archive = tmp_path / "site.tar"
    if how == "text":
        archive.write_text("not an archive\n")
    elif how == "no manifest":
        _tar(archive, {"snap/repozo/full.fs": b"data"})
    elif how == "two folders":
        _tar(archive, {"a/manifest.json": b"{}", "b/manifest.json": b"{}"})
    elif how == "outside":
        _tar(archive, {"snap/manifest.json": b"{}", "snap/../../evil": b"x"})
    elif how == "truncated":
        archive = _exported(project, tmp_path / "site.tar.gz")
        archive.write_bytes(archive.read_bytes()[:200])
    elif how == "newer plone":
        _exported(project, archive, plone="7.0.0")
    elif how == "name taken":
        _exported(project, archive)
        assert _cli("snapshot", "snap")[0] == 0
    return archive


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("missing", "no file"),
        ("text", "is not a snapshot archive"),
        ("no manifest", "is not a snapshot archive (it holds no NAME/manifest.json)"),
        ("two folders", "is not a snapshot archive"),
        ("outside", "could not be unpacked"),
        ("truncated", "is not a snapshot archive"),
        ("newer plone", "was taken with Plone 7.0.0, this backend has Plone 6.2.2"),
        ("name taken", "a snapshot named 'snap' exists already"),
    ],
)
def test_an_archive_that_cannot_be_restored_is_one_line_and_changes_nothing(
    with_data: FakeProject, tmp_path: Path, how: str, expected: str
) -> None:
    archive = _bad_archive(with_data, tmp_path, how)
    before = with_data.snapshot()
    code, output = _cli("restore", "--import", str(archive), "--yes")
    assert code == 2, output
    assert expected in output and len(output.strip().splitlines()) == 1, output
    assert with_data.snapshot() == before  # the data, and no snapshot left behind
    assert with_data.runtime.calls == []
    assert not list(tmp_path.rglob("evil")) and not (with_data.root.parent / "evil").exists()


def test_an_import_that_is_not_confirmed_leaves_no_snapshot(
    with_data: FakeProject, tmp_path: Path
) -> None:
    archive = _exported(with_data, tmp_path / "site.tar")
    code, output = _cli("restore", "--import", str(archive))  # no terminal to ask on
    assert code == 2 and "--yes" in output, output
    assert _listed() == []
    assert with_data.paths.filestorage.read_bytes() == b"version 1"
