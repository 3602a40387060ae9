"""Snapshots of a Compose project's data, in the same folders as native ones.

The snapshot kinds here have the native kinds' interface (plonedev.backend.snapshot.
SnapshotKind) and write the same var/snapshots/NAME layout, so a snapshot (or its
archive) taken in one runtime restores in the other when the storage is the same:

- FileStorage and ZEO: a Python script in the service that holds the volume (the
  backend's backend-data, the ZEO server's zeo-data) runs repozo into a temporary
  folder and streams it and the blob tree as a tar on stdout; it is unpacked here with
  tarfile's data filter into repozo/ and blobstorage/. A restore streams them back on
  stdin; the script rebuilds Data.fs.restoring next to the live file and swaps it and
  the blobs in by renames, so a failure leaves the live data as it was.
- RelStorage: plonedev.backend.snapshot_postgres's dump and swap, its programs run in
  the postgres service; the dump streams out of pg_dump, and into the container's /tmp
  for pg_restore -j (which reads a file).

A script runs in the service's container when it runs (`exec`), else in a one-off one
(`run --rm --no-deps`): the same image and volume either way.
"""

from __future__ import annotations

import shutil
import tarfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from plonedev.backend.environment import VERSIONS_SCRIPT, sorted_versions
from plonedev.backend.snapshot import SnapshotKind
from plonedev.backend.snapshot_files import tree_size
from plonedev.backend.snapshot_postgres import DUMP, check_dump, restore_argv, restore_swapped
from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.model import Project, Role
from plonedev.postgres import DATABASE
from plonedev.render.containers import (
    BACKEND_VOLUME,
    DATA,
    POSTGRES_USER,
    POSTGRES_VOLUME,
    ZEO_VOLUME,
)
from plonedev.runtime.docker_compose import Compose
from plonedev.runtime.docker_engine import Engine
from plonedev.streaming import ToolFailed

DATA_FS = f"{DATA}/filestorage/Data.fs"
BLOBS = f"{DATA}/blobstorage"
_PARTS = ("repozo", "blobstorage")  # a file snapshot's folders, natively too

# argv: Data.fs, the blob folder. stdout: a tar of repozo/ (a full backup) and
# blobstorage/ without its top tmp/ (uploads not committed), the blobs read AFTER the
# backup so that every blob it references is there (see snapshot_files).
_SAVE = """
import os, shutil, subprocess, sys, tarfile, tempfile
data_fs, blobs = sys.argv[1:3]
scratch = tempfile.mkdtemp()
try:
    repozo = os.path.join(scratch, "repozo")
    os.mkdir(repozo)
    if subprocess.run(["repozo", "-B", "-r", repozo, "-f", data_fs], stdout=2).returncode:
        sys.exit("repozo backing up failed")
    skip = ("blobstorage/tmp", "blobstorage/tmp/")
    keep = lambda info: None if info.name == skip[0] or info.name.startswith(skip[1]) else info
    with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as tar:
        tar.add(repozo, "repozo")
        if os.path.isdir(blobs):
            tar.add(blobs, "blobstorage", filter=keep)
finally:
    shutil.rmtree(scratch)
"""

# argv: Data.fs, the blob folder; stdin: a tar as _SAVE writes it. Everything is
# unpacked and rebuilt on the volume first (renames stay on one filesystem), owned by
# the volume's owner; the live data changes only in the renames at the end.
_RESTORE = """
import os, shutil, subprocess, sys, tarfile, tempfile
data_fs, blobs = sys.argv[1:3]
top = os.path.dirname(blobs)
os.makedirs(os.path.dirname(data_fs), exist_ok=True)
owner = os.stat(top)
scratch = tempfile.mkdtemp(prefix=".restoring-", dir=top)
new_data, new_blobs = data_fs + ".restoring", os.path.join(scratch, "blobstorage")
try:
    with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(scratch, filter="data")
        else:  # Python < 3.11.4 (Debian 12's 3.11.2): the filter's refusals, by hand
            for member in tar:
                names = (member.name, member.linkname if member.islnk() else "")
                if member.issym() or member.isdev() or any(
                    n.startswith("/") or ".." in n.split("/") for n in names
                ):
                    sys.exit(f"refused {member.name!r}: not a file of a snapshot")
                tar.extract(member, scratch)
    while sys.stdin.buffer.read(1 << 16):  # the tar's padding: the sender must not fail
        pass
    for stale in (new_data, new_data + ".index"):
        if os.path.exists(stale):
            os.remove(stale)
    repozo = ["repozo", "-R", "-r", os.path.join(scratch, "repozo"), "-o", new_data]
    if subprocess.run(repozo, stdout=2).returncode:
        sys.exit("repozo restoring failed")
    os.makedirs(new_blobs, exist_ok=True)
    os.chmod(new_blobs, 0o700)
    os.chown(new_data, owner.st_uid, owner.st_gid)
    for folder, dirs, files in os.walk(new_blobs):
        for name in [""] + dirs + files:
            os.chown(os.path.join(folder, name), owner.st_uid, owner.st_gid)
    # The index, lock and pack leftovers describe the old file: FileStorage rebuilds.
    for suffix in (".index", ".lock", ".tmp", ".old"):
        if os.path.exists(data_fs + suffix):
            os.remove(data_fs + suffix)
    os.replace(new_data, data_fs)
    if os.path.exists(new_data + ".index"):  # repozo's index of the file it rebuilt
        os.replace(new_data + ".index", data_fs + ".index")
    old = blobs + ".replaced"
    shutil.rmtree(old, ignore_errors=True)
    if os.path.exists(blobs):
        os.rename(blobs, old)
    os.rename(new_blobs, blobs)
    shutil.rmtree(old, ignore_errors=True)
finally:
    shutil.rmtree(scratch, ignore_errors=True)
    for stale in (new_data, new_data + ".index"):
        if os.path.exists(stale):
            os.remove(stale)
"""

Stream = Callable[[IO[bytes]], None]  # writes a command's stdin, or reads its stdout
_DUMP_INSIDE = f"/tmp/plonedev-{DUMP}"  # noqa: S108 (the postgres container's own /tmp)
BLOB_CACHE = f"{DATA}/blobcache"
# Its content, not the folder: the entrypoint makes the folder only at the start.
_EMPTY_CACHE = """
import os, shutil, sys
for entry in os.scandir(sys.argv[1]) if os.path.isdir(sys.argv[1]) else ():
    shutil.rmtree(entry.path) if entry.is_dir() else os.remove(entry.path)
"""
_IS_FILE = "import os, sys; print(os.path.isfile(sys.argv[1]))"
_HINT = "the data was not changed: fix what the lines above name, then try again"


@dataclass(frozen=True)
class ComposePipe:
    """`exec -T` into the service when it runs, else `run --rm --no-deps -T`."""

    compose: Compose
    engine: Engine

    def has_volume(self, volume: str) -> bool:
        name = f"{self.compose.project_name}_{volume}"
        return name in self.engine.volumes(self.compose.project_name)

    def __call__(
        self,
        service: str,
        argv: Sequence[str],
        action: str,
        *,
        send: Stream | None = None,
        receive: Stream | None = None,
    ) -> None:
        info = self.engine.containers(self.compose.project_name).get(service)
        running = info is not None and info.running
        how = ["exec", "-T"] if running else ["run", "--rm", "--no-deps", "-T"]
        self.compose.pipe(action, [*how, service, *argv], send=send, receive=receive, hint=_HINT)


def kind_for(config: PlonedevConfig, project: Project, pipe: ComposePipe) -> SnapshotKind:
    """The snapshot kind of the project's storage with Compose."""
    backend = project.by_role(Role.BACKEND)
    assert backend is not None  # every project has one
    if config.storage is Storage.RELSTORAGE:
        postgres = project.by_role(Role.POSTGRES)
        assert postgres is not None
        return ComposePostgresSnapshots(pipe, postgres.name, backend.name)
    if config.storage is Storage.ZEO:
        zeo = project.by_role(Role.ZEO)
        assert zeo is not None
        return ComposeFileSnapshots(pipe, "zeo", zeo.name, ZEO_VOLUME, backend.name)
    return ComposeFileSnapshots(pipe, "filestorage", backend.name, BACKEND_VOLUME, backend.name)


def compose_pipe(compose_dir: Path, project: Project) -> ComposePipe:
    return ComposePipe(Compose(compose_dir, project.name), Engine())


def read_packages(pipe: ComposePipe, backend: str) -> dict[str, str]:
    """The backend image's distributions, as the native venv's are read."""
    output: list[bytes] = []
    pipe(
        backend,
        ["python", "-c", VERSIONS_SCRIPT],
        "read the backend's package versions",
        receive=lambda stream: output.append(stream.read()),
    )
    return sorted_versions(b"".join(output).decode())


@dataclass(frozen=True)
class ComposeFileSnapshots:
    """storage = filestorage (the backend's volume) or zeo (the ZEO server's)."""

    pipe: ComposePipe
    storage: str
    service: str  # the one whose volume holds Data.fs
    volume: str
    backend: str
    servers: tuple[Role, ...] = ()  # a one-off container when the service is stopped

    def has_data(self) -> bool:
        if not self.pipe.has_volume(self.volume):
            return False  # not even a volume: nothing to look in (and none to make)
        answer: list[bytes] = []
        self.pipe(
            self.service,
            ["python", "-c", _IS_FILE, DATA_FS],
            "look for the database",
            receive=lambda stream: answer.append(stream.read()),
        )
        return b"".join(answer).strip() == b"True"

    def where(self) -> str:
        return f"{DATA_FS} in the {self.service} service's {self.volume} volume"

    def packages(self) -> dict[str, str]:
        return read_packages(self.pipe, self.backend)

    def save(self, folder: Path) -> dict[str, int]:
        self.pipe(
            self.service,
            ["python", "-c", _SAVE, DATA_FS, BLOBS],
            "back up the database with repozo",
            receive=lambda stream: _unpack(stream, folder),
        )
        (folder / "blobstorage").mkdir(exist_ok=True)  # a site without blobs yet
        return {"data": tree_size(folder / "repozo"), "blobs": tree_size(folder / "blobstorage")}

    def check_restore(self, folder: Path) -> None:
        if not (folder / "repozo").is_dir():
            raise PlonedevError(
                f"snapshot {folder.name!r} has no repozo/: it is incomplete",
                f"delete it with `plonedev snapshot --delete {folder.name}`",
            )

    def put_back(self, folder: Path) -> None:
        self.pipe(
            self.service,
            ["python", "-c", _RESTORE, DATA_FS, BLOBS],
            "restore the database with repozo",
            send=lambda stream: _pack(folder, stream),
        )


def _unpack(stream: IO[bytes], folder: Path) -> None:
    with tarfile.open(fileobj=stream, mode="r|") as tar:
        tar.extractall(folder, filter="data")


def _pack(folder: Path, stream: IO[bytes]) -> None:
    with tarfile.open(fileobj=stream, mode="w|") as tar:
        for part in _PARTS:
            if (folder / part).exists():
                tar.add(folder / part, part)


@dataclass(frozen=True)
class ComposePostgresSnapshots:
    """storage = relstorage: the postgres service's database, as natively (its programs
    run in its container, on its socket)."""

    pipe: ComposePipe
    service: str  # the postgres service
    backend: str
    storage: str = "relstorage"
    servers: tuple[Role, ...] = (Role.POSTGRES,)  # pg_dump and pg_restore talk to it

    def has_data(self) -> bool:
        return self.pipe.has_volume(POSTGRES_VOLUME)

    def where(self) -> str:
        return f"the {self.service} service's {POSTGRES_VOLUME} volume (PostgreSQL)"

    def packages(self) -> dict[str, str]:
        return read_packages(self.pipe, self.backend)

    def save(self, folder: Path) -> dict[str, int]:
        self._check_running()
        dump = folder / DUMP
        with dump.open("wb") as file:
            # -Z 1: most of the dump is pickles and blobs; stronger compression costs time.
            self.pipe(
                self.service,
                ["pg_dump", "-U", POSTGRES_USER, "-Fc", "-Z", "1", "-d", DATABASE],
                "dump the database with pg_dump",
                receive=lambda stream: shutil.copyfileobj(stream, file, 1 << 20),
            )
        return {"data": dump.stat().st_size}

    def check_restore(self, folder: Path) -> None:
        check_dump(folder)

    def put_back(self, folder: Path) -> None:
        self._check_running()
        # pg_restore -j reads a file: the dump is copied into the container first.
        self.pipe(
            self.service,
            ["sh", "-c", 'cat > "$1"', "sh", _DUMP_INSIDE],
            "copy the dump into the postgres container",
            send=lambda stream: _send_file(folder / DUMP, stream),
        )
        try:
            restore_swapped(
                self._run, lambda database: self._run(*restore_argv(database), _DUMP_INSIDE)
            )
        finally:
            self._run("rm", "-f", _DUMP_INSIDE)
        # The backend's blob cache (its volume) may hold blobs the database never had.
        self.pipe(
            self.backend,
            ["python", "-c", _EMPTY_CACHE, BLOB_CACHE],
            "empty the backend's blob cache",
        )

    def _check_running(self) -> None:
        try:
            self._run("pg_isready", "-q", "-d", "postgres")
        except ToolFailed:
            raise PlonedevError(
                f"PostgreSQL does not answer in the {self.service} service: snapshots need it",
                f"start it with `plonedev up {self.service}`",
            ) from None

    def _run(self, program: str, *args: str) -> str:
        output: list[bytes] = []
        user = ["-U", POSTGRES_USER] if program.startswith(("pg_", "psql")) else []
        self.pipe(
            self.service,
            [program, *user, *args],
            program,
            receive=lambda stream: output.append(stream.read()),
        )
        return b"".join(output).decode("utf-8", "replace")


def _send_file(path: Path, stream: IO[bytes]) -> None:
    with path.open("rb") as file:
        shutil.copyfileobj(file, stream, 1 << 20)
