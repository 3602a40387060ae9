"""snapshot and restore with the docker runtime against fakes: the commands run as for a
Compose project, and the Compose kind's own scripts run here, in a folder standing for
each service's /data volume, with the stand-in repozo of fakes.py. What goes in and out
of the "containers", that a snapshot has the native layout (one taken natively restores
with Compose and back), and that a failure leaves the data as it was (the real thing:
tests/integration/test_snapshot_compose.py).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from plonedev.backend.environment import VERSIONS_SCRIPT
from plonedev.backend.snapshot import MANIFEST, snapshots_dir
from plonedev.backend.snapshot_files import FileSnapshots
from plonedev.commands import snapshot as command
from plonedev.errors import PlonedevError
from plonedev.paths import ProjectPaths
from plonedev.report import QuietReporter
from plonedev.runtime import docker_snapshot
from plonedev.runtime.docker_compose import Compose
from plonedev.runtime.docker_engine import ContainerInfo
from plonedev.runtime.docker_snapshot import ComposeFileSnapshots, ComposePipe
from plonedev.runtime.protocol import Runtime
from plonedev.runtimes.docker import Docker
from plonedev.runtimes.registry import RUNTIMES, open_running_project
from tests.conftest import write_pyproject
from tests.unit.commands.conftest import FakeProject
from tests.unit.commands.fakes import FAKE_PSQL, RecordingRuntime, install_fake_backup_tools

PACKAGES = {"Products.CMFPlone": "6.2.2", "zope": "5"}


@dataclass
class Containers:
    """The services' /data folders, which run, and the `docker compose` calls made."""

    data: dict[str, Path]
    runtime: RecordingRuntime
    calls: list[str] = field(default_factory=list)
    volumes: set[str] = field(default_factory=lambda: {"p_backend-data", "p_zeo-data"})


class LocalCompose(Compose):
    """`docker compose exec|run ... SERVICE ARGV` run here: /data is the service's folder,
    python this one, the image's package versions PACKAGES."""

    def __init__(self, containers: Containers) -> None:
        super().__init__(Path("compose"), "p")
        self.containers = containers

    def cli(self, *args: str) -> tuple[str, ...]:
        how, *rest = args
        service, *argv = rest[1:] if how == "exec" else rest[3:]
        self.containers.calls.append(f"{how} {service}")
        data = str(self.containers.data[service])
        argv = [data + arg[len("/data") :] if arg.startswith("/data/") else arg for arg in argv]
        argv = [data + arg[4:] if arg.startswith("/tmp/plonedev-") else arg for arg in argv]
        if argv[-1] == VERSIONS_SCRIPT:
            argv[-1] = f"print({json.dumps(json.dumps(PACKAGES))})"
        return (sys.executable, *argv[1:]) if argv[0] == "python" else tuple(argv)


@dataclass
class FakeEngine:
    containers_: Containers

    def volumes(self, project: str) -> list[str]:
        return sorted(self.containers_.volumes)

    def containers(self, project: str) -> dict[str, ContainerInfo]:
        alive = self.containers_.runtime.alive
        return {
            name: ContainerInfo(name, name, "running", "", 0, 1, "", "")
            for name in self.containers_.data
            if name in alive
        }


class FakeDocker(Docker):
    """The docker runtime with the fakes' services (its snapshots: the real kinds)."""

    def __init__(self, runtime: RecordingRuntime) -> None:
        self.runtime = runtime

    def services(self, paths: ProjectPaths) -> Runtime:
        return self.runtime


def _pipe(containers: Containers) -> ComposePipe:
    return ComposePipe(LocalCompose(containers), FakeEngine(containers))  # type: ignore[arg-type]


@pytest.fixture
def compose(fake: FakeProject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Containers:
    """A FileStorage project run by a fake docker runtime, its backend up on "version 1"."""
    runtime = RecordingRuntime(name="docker", alive={"backend"})
    monkeypatch.setitem(RUNTIMES, "docker", FakeDocker(runtime))
    write_pyproject(fake.root, 'runtime = "docker"\n')
    containers = Containers({"backend": tmp_path / "backend-data"}, runtime)
    monkeypatch.setattr(docker_snapshot, "compose_pipe", lambda folder, project: _pipe(containers))
    install_fake_backup_tools(fake.paths)  # its repozo, on the "container's" PATH
    monkeypatch.setenv("PATH", f"{fake.paths.venv_bin}{os.pathsep}{os.environ['PATH']}")
    _write(containers.data["backend"], b"version 1", b"blob 1")
    monkeypatch.chdir(fake.root)
    return containers


def _write(data: Path, database: bytes, blob: bytes) -> None:
    (data / "filestorage").mkdir(parents=True, exist_ok=True)
    (data / "filestorage" / "Data.fs").write_bytes(database)
    (data / "filestorage" / "Data.fs.index").write_bytes(b"index of " + database)
    (data / "blobstorage" / "0x01").mkdir(parents=True, exist_ok=True)
    (data / "blobstorage" / "0x01" / "a.blob").write_bytes(blob)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_snapshot_streams_the_native_layout_out_of_the_running_backend(
    fake: FakeProject, compose: Containers
) -> None:
    (compose.data["backend"] / "blobstorage" / "tmp").mkdir()
    (compose.data["backend"] / "blobstorage" / "tmp" / "upload").write_bytes(b"not committed")
    result = command.snapshot(fake.root, "before")
    folder = snapshots_dir(fake.paths) / "before"
    assert _tree(folder / "repozo") == {"full.fs": b"version 1"}
    assert _tree(folder / "blobstorage") == {"0x01/a.blob": b"blob 1"}
    manifest = json.loads((folder / MANIFEST).read_text())
    assert (manifest["storage"], manifest["plone"]) == ("filestorage", "6.2.2")
    assert manifest["packages"] == PACKAGES and manifest["sizes"] == {"data": 9, "blobs": 6}
    assert result.manifest.name == "before"
    assert compose.calls == ["exec backend"] * 3  # look, back up, read the versions
    assert compose.runtime.calls == []  # taken while the site runs


def test_restore_stops_the_backend_swaps_the_data_in_and_starts_it(
    fake: FakeProject, compose: Containers
) -> None:
    command.snapshot(fake.root, "before")
    data = compose.data["backend"]
    _write(data, b"version 2", b"blob 2")
    (data / "blobstorage" / "0x01" / "new.blob").write_bytes(b"added later")
    compose.calls.clear()
    result = command.restore(fake.root, "before", QuietReporter(), take_snapshot=False)
    assert _tree(data) == {
        "filestorage/Data.fs": b"version 1",
        "blobstorage/0x01/a.blob": b"blob 1",
    }
    assert compose.runtime.calls == ["stop backend", "up backend"]
    assert result.restarted == ["backend"]
    assert compose.calls[-1] == "run backend"  # a one-off container: the backend is stopped


def test_a_failed_restore_keeps_the_data_and_starts_the_backend_again(
    fake: FakeProject, compose: Containers, monkeypatch: pytest.MonkeyPatch
) -> None:
    command.snapshot(fake.root, "before")
    data = compose.data["backend"]
    _write(data, b"version 2", b"blob 2")
    current = _tree(data)
    monkeypatch.setenv("REPOZO_FAILS", "1")
    with pytest.raises(PlonedevError, match="repozo restoring failed") as failed:
        command.restore(fake.root, "before", QuietReporter(), take_snapshot=False)
    assert "the data was not changed" in failed.value.hint
    assert _tree(data) == current
    assert [p.name for p in data.iterdir() if p.name.startswith(".")] == []  # no scratch
    assert compose.runtime.alive == {"backend"}


def test_a_failed_backup_is_one_error_and_leaves_no_snapshot(
    fake: FakeProject, compose: Containers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPOZO_BACKUP_FAILS", "disk on fire")
    with pytest.raises(PlonedevError, match="repozo backing up failed") as failed:
        command.snapshot(fake.root, "half")
    assert "disk on fire" in failed.value.details
    assert list(snapshots_dir(fake.paths).iterdir()) == []


def test_no_volume_yet_is_no_database_and_runs_no_container(
    fake: FakeProject, compose: Containers
) -> None:
    compose.volumes.clear()
    with pytest.raises(PlonedevError, match="no database to snapshot"):
        command.snapshot(fake.root, "none")
    assert compose.calls == []
    running = open_running_project(fake.root, None)
    assert command.safety_snapshot(running, "restore", QuietReporter()) is None


def test_a_snapshot_restores_across_runtimes(fake: FakeProject, compose: Containers) -> None:
    """The same folder: a Compose snapshot restores natively, a native one in Compose."""
    native = FileSnapshots(fake.paths, "filestorage")
    in_compose = ComposeFileSnapshots(
        _pipe(compose), "filestorage", "backend", "backend-data", "backend"
    )
    (from_compose := fake.root / "from-compose").mkdir()
    in_compose.save(from_compose)
    native.put_back(from_compose)
    assert fake.paths.filestorage.read_bytes() == b"version 1"
    assert (fake.paths.blobstorage / "0x01" / "a.blob").read_bytes() == b"blob 1"

    fake.paths.filestorage.write_bytes(b"native version")
    (from_native := fake.root / "from-native").mkdir()
    native.save(from_native)
    compose.runtime.alive.clear()
    in_compose.put_back(from_native)
    assert (compose.data["backend"] / "filestorage" / "Data.fs").read_bytes() == b"native version"


def test_zeo_snapshots_the_zeo_servers_volume_and_restore_stops_both(
    fake: FakeProject, compose: Containers, tmp_path: Path
) -> None:
    write_pyproject(fake.root, 'runtime = "docker"\nstorage = "zeo"\n')
    compose.data["zeo"] = tmp_path / "zeo-data"
    compose.runtime.alive.add("zeo")
    _write(compose.data["zeo"], b"zeo version 1", b"zeo blob")
    command.snapshot(fake.root, "zeo")
    assert _tree(snapshots_dir(fake.paths) / "zeo" / "repozo") == {"full.fs": b"zeo version 1"}
    assert compose.calls[:2] == ["exec zeo", "exec zeo"]
    _write(compose.data["zeo"], b"zeo version 2", b"zeo blob 2")
    command.restore(fake.root, "zeo", QuietReporter(), take_snapshot=False)
    assert (compose.data["zeo"] / "filestorage" / "Data.fs").read_bytes() == b"zeo version 1"
    assert compose.runtime.calls == ["stop backend zeo", "up zeo backend"]


# The postgres service's programs (first "-U plone"): a database is a folder of $FAKE_PG.
PG_PROGRAMS = {
    "pg_isready": '[ ! -e "$FAKE_PG/down" ]',
    "pg_dump": 'cat "$FAKE_PG/plone/data"',  # -U plone -Fc -Z 1 -d plone
    "pg_restore": '[ -z "$RESTORE_FAILS" ] && cp "$9" "$FAKE_PG/$8/data"',
    "psql": 'sql="${10}"\n' + FAKE_PSQL,
}


@pytest.fixture
def pg(
    fake: FakeProject, compose: Containers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A RelStorage project in Compose, its postgres service's plone database "version 1"."""
    bin_dir, databases = tmp_path / "pg-bin", tmp_path / "pg"
    bin_dir.mkdir()
    (databases / "plone").mkdir(parents=True)
    (databases / "plone" / "data").write_text("version 1")
    for name, body in PG_PROGRAMS.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_PG", str(databases))
    write_pyproject(fake.root, 'runtime = "docker"\nstorage = "relstorage"\n')
    compose.data["postgres"] = tmp_path / "postgres-data"
    compose.data["postgres"].mkdir()
    compose.volumes.add("p_postgres-data")
    compose.runtime.alive.add("postgres")
    return databases


def test_relstorage_dumps_and_restores_through_the_postgres_container(
    fake: FakeProject, compose: Containers, pg: Path
) -> None:
    command.snapshot(fake.root, "before")
    assert (snapshots_dir(fake.paths) / "before" / "database.dump").read_text() == "version 1"
    (pg / "plone" / "data").write_text("version 2")
    cache = compose.data["backend"] / "blobcache"
    (cache / "0x01").mkdir(parents=True)
    (cache / "0x01" / "stale.blob").write_text("a blob of version 2")
    compose.calls.clear()
    command.restore(fake.root, "before", QuietReporter(), take_snapshot=False)
    assert sorted(p.name for p in pg.iterdir()) == ["plone"]
    assert (pg / "plone" / "data").read_text() == "version 1"
    assert cache.is_dir() and not any(cache.iterdir())  # emptied, kept
    assert not any(compose.data["postgres"].iterdir())  # the copied dump is gone
    assert compose.runtime.calls == ["stop backend", "up postgres backend"]  # PostgreSQL ran on
    assert compose.calls[-1] == "run backend"  # the cache, in the stopped backend's volume


def test_relstorage_restore_refused_by_an_open_connection_changes_nothing(
    fake: FakeProject, compose: Containers, pg: Path
) -> None:
    command.snapshot(fake.root, "before")
    (pg / "plone" / "data").write_text("version 2")
    (pg / "busy").touch()
    with pytest.raises(PlonedevError, match="in use by another connection"):
        command.restore(fake.root, "before", QuietReporter(), take_snapshot=False)
    assert sorted(p.name for p in pg.iterdir() if p.is_dir()) == ["plone"]
    assert (pg / "plone" / "data").read_text() == "version 2"
    assert compose.runtime.alive == {"backend", "postgres"}
