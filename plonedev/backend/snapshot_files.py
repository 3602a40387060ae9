"""A FileStorage or ZEO database in a snapshot: repozo for Data.fs, links for the blobs.

The snapshot folder gets its own repozo repository (`repozo/`) and a hard-linked copy
of the blob tree (`blobstorage/`).

One repozo repository per snapshot, not one shared with dates: repozo's incremental
files (.deltafs) only restore on top of the full backup and every increment before
them, so deleting an older snapshot from a shared repository would break the later
ones. A full backup per snapshot keeps each one restorable on its own; it copies Data.fs
at disk speed, which is what `repozo -B` does for a first backup anyway.

repozo reads the file up to a transaction boundary, so a backup taken while the
storage is being written is consistent. Blob files never change once written, so a hard
link is a copy; the blobs are linked AFTER the Data.fs backup, so every blob the backup
references already exists.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plonedev.backend.environment import installed_packages, venv_script
from plonedev.model import Role
from plonedev.paths import ProjectPaths
from plonedev.streaming import run_streaming

_BLOB_TMP = "tmp"  # ZODB's folder for blobs not committed yet


@dataclass(frozen=True)
class FileSnapshots:
    """The snapshot kind of storage = filestorage (the backend's Data.fs) and zeo (the
    ZEO server's)."""

    paths: ProjectPaths
    storage: str  # "filestorage" or "zeo"
    servers: tuple[Role, ...] = ()  # files: nothing needs to run

    @property
    def data_fs(self) -> Path:
        if self.storage == "zeo":
            return self.paths.zeo_data / "Data.fs"
        return self.paths.filestorage

    def has_data(self) -> bool:
        return self.data_fs.is_file()

    def where(self) -> str:
        return str(self.data_fs)

    def packages(self) -> dict[str, str]:
        return installed_packages(self.paths)

    def save(self, folder: Path) -> dict[str, int]:
        (folder / "repozo").mkdir()
        self._repozo(["-B", "-r", str(folder / "repozo"), "-f", str(self.data_fs)], "backing up")
        link_tree(self.paths.blobstorage, folder / "blobstorage")  # after: see above
        return {"data": tree_size(folder / "repozo"), "blobs": tree_size(folder / "blobstorage")}

    def check_restore(self, folder: Path) -> None:
        """Nothing to check before the services stop: repozo says what is wrong."""

    def put_back(self, folder: Path) -> None:
        """Everything is first rebuilt next to the live data, then swapped in by renames:
        a failure before the swap leaves the current data as it was."""
        live = self.data_fs
        new_data = live.with_name("Data.fs.restoring")
        new_index = new_data.with_name(f"{new_data.name}.index")  # repozo writes it too
        new_blobs = self.paths.blobstorage.with_name("blobstorage.restoring")
        for stale in (new_data, new_index, new_blobs):
            remove(stale)
        live.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._repozo(["-R", "-r", str(folder / "repozo"), "-o", str(new_data)], "restoring")
            link_tree(folder / "blobstorage", new_blobs)
        except BaseException:
            for partial in (new_data, new_index, new_blobs):
                remove(partial)
            raise
        # The index, lock and pack leftovers describe the old file: FileStorage rebuilds.
        for suffix in (".index", ".lock", ".tmp", ".old"):
            remove(live.with_name(live.name + suffix))
        _swap(new_data, live)
        if new_index.exists():  # the restored file's index: no rebuild at the start
            new_index.rename(live.with_name(f"{live.name}.index"))
        _swap(new_blobs, self.paths.blobstorage)

    def _repozo(self, args: list[str], what: str) -> None:
        repozo = venv_script(self.paths.venv, "repozo")
        run_streaming(
            [str(repozo), *args],
            cwd=self.paths.root,
            what=f"repozo {what}",
            hint="repozo comes with ZODB in the backend's venv: run `plonedev up` to install it",
        )


def link_tree(source: Path, target: Path) -> None:
    """Copy a blob tree with hard links (a copy across filesystems); a missing source is
    an empty tree (a site without blobs yet). The top `tmp/` is left out: ZODB writes
    uncommitted uploads there, in place, so a link would keep changing."""
    target.mkdir(parents=True)
    if not source.is_dir():
        return
    for folder, dirs, files in os.walk(source):
        if folder == str(source):
            dirs[:] = [name for name in dirs if name != _BLOB_TMP]
        here = target / Path(folder).relative_to(source)
        for name in dirs:
            (here / name).mkdir()
        for name in files:
            _link_or_copy(Path(folder, name), here / name)


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in _files(path))


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another filesystem, or one without hard links
        shutil.copy2(source, target)


def _swap(new: Path, live: Path) -> None:
    old = live.with_name(live.name + ".replaced")
    remove(old)
    if live.exists():
        live.rename(old)
    new.rename(live)
    remove(old)


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        yield from (p for p in path.rglob("*") if p.is_file())
