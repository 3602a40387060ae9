"""`down` against the fakes: it stops the services, and deletes the data only when asked
(the real thing: tests/integration/test_up_native.py)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from plonedev import registry
from plonedev.backend.snapshot import snapshots_dir
from plonedev.cli.app import app
from plonedev.commands.down import DownResult, data_to_remove, down
from plonedev.commands.snapshot import restore, snapshots
from plonedev.commands.up import up
from plonedev.project_setup.find_project import RunningProject
from plonedev.report import QuietReporter, Reporter
from plonedev.runtime.record import record_file
from plonedev.runtimes.registry import RUNTIMES
from tests.unit.commands.conftest import FakeNative, FakeProject
from tests.unit.commands.fakes import install_fake_backup_tools


@pytest.fixture
def with_data(fake: FakeProject, monkeypatch: pytest.MonkeyPatch) -> FakeProject:
    """The project up, with a database and blobs in var/; the CLI runs in it."""
    up(fake.root, QuietReporter())
    paths = fake.paths
    paths.filestorage.parent.mkdir(parents=True)
    paths.filestorage.write_bytes(b"the site's content")
    paths.blobstorage.mkdir()
    (paths.blobstorage / "blob").write_bytes(b"an image")
    install_fake_backup_tools(paths)
    fake.runtime.calls.clear()
    monkeypatch.chdir(fake.root)
    return fake


def test_down_stops_the_services_and_keeps_the_data(with_data: FakeProject) -> None:
    files = with_data.snapshot()
    result = down(with_data.root, QuietReporter())
    assert result.stopped == ["backend"]
    assert result.removed == []
    assert with_data.runtime.calls == ["down"]
    assert with_data.runtime.alive == set()
    data = {name: content for name, content in files.items() if name.startswith("var/")}
    assert data and all(with_data.snapshot()[name] == content for name, content in data.items())
    assert record_file(with_data.paths.state).read().runtime is None  # free to change runtime
    assert registry.entries() == []  # `ls` no longer lists it


def test_down_removing_the_data_deletes_only_the_data_folders(with_data: FakeProject) -> None:
    paths = with_data.paths
    password = paths.admin_password_file.read_bytes()
    result = down(with_data.root, QuietReporter(), remove_data=True)
    assert result.stopped == ["backend"]
    assert result.removed == ["var/filestorage", "var/blobstorage"]
    assert not paths.filestorage.parent.exists() and not paths.blobstorage.exists()
    assert paths.admin_password_file.read_bytes() == password  # kept, for the next site
    assert paths.pyproject.is_file() and paths.mx_ini.is_file()


def test_volumes_without_a_terminal_to_confirm_on_deletes_and_stops_nothing(
    with_data: FakeProject,
) -> None:
    files = with_data.snapshot()
    done = CliRunner().invoke(app, ["down", "--volumes"])
    assert done.exit_code == 2, done.output
    assert done.stderr.strip().splitlines() == [
        "Error: `down --volumes` would delete the data of demo (var/filestorage, "
        "var/blobstorage) — add --yes to confirm without a prompt"
    ]
    assert with_data.snapshot() == files
    assert with_data.runtime.calls == [] and with_data.runtime.alive == {"backend"}


def test_volumes_with_yes_deletes_the_data_and_says_so(with_data: FakeProject) -> None:
    done = CliRunner().invoke(app, ["down", "--volumes", "--yes"])
    assert done.exit_code == 0, done.output
    assert "Stopped." in done.stdout
    assert "Deleted the data: var/filestorage, var/blobstorage" in done.stdout
    assert not with_data.paths.filestorage.exists()


def test_removing_the_data_saves_it_first_in_a_snapshot_that_restores(
    with_data: FakeProject,
) -> None:
    done = CliRunner().invoke(app, ["down", "--volumes", "--yes"])
    assert done.exit_code == 0, done.output
    ((saved),) = snapshots(with_data.root)
    assert not isinstance(saved, Exception)
    assert saved.taken_before == "down --volumes" and saved.name.endswith("-before-down-volumes")
    assert f"plonedev restore {saved.name}" in " ".join(done.stdout.split())
    assert not with_data.paths.filestorage.exists()
    restore(with_data.root, saved.name, QuietReporter())
    assert with_data.paths.filestorage.read_bytes() == b"the site's content"
    assert (with_data.paths.blobstorage / "blob").read_bytes() == b"an image"


def test_no_snapshot_deletes_without_saving(with_data: FakeProject) -> None:
    done = CliRunner().invoke(app, ["down", "--volumes", "--yes", "--no-snapshot"])
    assert done.exit_code == 0, done.output
    assert not with_data.paths.filestorage.exists()
    assert snapshots(with_data.root) == []


@pytest.mark.parametrize(
    ("repozo_says", "fix"),
    [
        ("OSError: [Errno 28] No space left on device", "free some disk space"),
        ("PermissionError: [Errno 13] Permission denied", "fix what the error names"),
    ],
)
def test_a_snapshot_that_cannot_be_taken_deletes_nothing(
    with_data: FakeProject, monkeypatch: pytest.MonkeyPatch, repozo_says: str, fix: str
) -> None:
    files = with_data.snapshot()
    monkeypatch.setenv("REPOZO_BACKUP_FAILS", repozo_says)
    done = CliRunner().invoke(app, ["down", "--volumes", "--yes"])
    assert done.exit_code == 2, done.output
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("Error: could not save the data before down --volumes")
    assert f"{fix}, or pass --no-snapshot" in line
    assert with_data.snapshot() == files  # the data, and no half snapshot beside it
    assert with_data.runtime.alive == {"backend"}
    assert list(snapshots_dir(with_data.paths).iterdir()) == []


class Remote(FakeNative):
    """A third runtime, its data elsewhere."""

    name = "remote"

    def data(self, running: RunningProject) -> list[str]:
        return ["remote-volume"]

    def remove_data(
        self, running: RunningProject, reporter: Reporter
    ) -> tuple[list[str], list[str]]:
        return running.runtime.down(running.project, reporter.event), self.data(running)


def test_volumes_in_any_registered_runtime_removes_that_runtimes_data(
    with_data: FakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its own table of data per runtime raised KeyError for a runtime not in it."""
    monkeypatch.setitem(RUNTIMES, "remote", Remote(with_data))
    assert data_to_remove(with_data.root, "remote") == ("demo", ["remote-volume"])
    result = down(with_data.root, QuietReporter(), "remote", remove_data=True)
    assert result == DownResult(["backend"], ["remote-volume"])
    assert with_data.paths.filestorage.exists()  # the native data is not that runtime's


def test_volumes_in_an_unknown_runtime_is_one_line(with_data: FakeProject) -> None:
    done = CliRunner().invoke(app, ["down", "--volumes", "--yes", "--runtime", "podman"])
    assert done.exit_code == 2, done.output
    assert done.stderr.strip().splitlines() == [
        "Error: --runtime: unknown runtime 'podman' — use one of auto, native, docker"
    ]
    assert with_data.runtime.alive == {"backend"}
