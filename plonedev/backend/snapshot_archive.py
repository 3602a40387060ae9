"""One snapshot as one archive: `snapshot --export FILE`, `restore --import FILE`.

The archive is a tar of the snapshot's folder NAME/ (manifest.json and the storage's
files), gzip-compressed when FILE ends in .gz or .tgz, so a colleague's plonedev unpacks it
into var/snapshots/NAME. Both directions go through a hidden partial file or folder that
is renamed at the end: a failure leaves nothing half-written. Unpacking uses tarfile's
"data" filter (no absolute paths, no links out of the folder, no device files).
"""

from __future__ import annotations

import errno
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from plonedev.backend.snapshot import (
    MANIFEST,
    Manifest,
    check_name,
    read_manifest,
    snapshots_dir,
)
from plonedev.errors import PlonedevError
from plonedev.paths import ProjectPaths

_MAKE_ONE = "make one with `plonedev snapshot --export FILE`"
# What a truncated or corrupt archive raises while it is read.
_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


def export(paths: ProjectPaths, name: str, target: Path) -> int:
    """Write snapshot `name` into the archive `target` (which must not exist); its size."""
    folder = snapshots_dir(paths) / check_name(name)
    read_manifest(folder)  # a snapshot, and a whole one
    if target.exists():
        raise PlonedevError(f"{target} exists", "choose another file name, or delete it first")
    if not target.parent.is_dir():
        raise PlonedevError(f"no folder {target.parent} to write {target.name} in", "create it")
    partial = target.with_name(f".{target.name}.partial")
    mode = "w:gz" if target.name.endswith((".gz", ".tgz")) else "w"
    try:
        # Level 1: the dump and repozo files compress little, speed matters more.
        options = {"compresslevel": 1} if mode == "w:gz" else {}
        with tarfile.open(partial, mode, **options) as archive:  # type: ignore[call-overload]
            archive.add(folder, arcname=name)
        partial.rename(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise PlonedevError(
            f"could not write {target}: {error.strerror}", _space_fix(error)
        ) from None
    return target.stat().st_size


def unpack(paths: ProjectPaths, archive: Path) -> Manifest:
    """Unpack `archive` into var/snapshots/NAME; the snapshot it holds."""
    if not archive.is_file():
        raise PlonedevError(f"no file {archive}", "give the path of an archive from --export")
    name = _snapshot_name(archive)
    target = snapshots_dir(paths) / name
    if target.exists():
        raise PlonedevError(
            f"a snapshot named {name!r} exists already",
            f"restore it with `plonedev restore {name}`, or delete it first",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".import-", dir=target.parent))
    try:
        with tarfile.open(archive, "r:*") as tar:
            tar.extractall(scratch, filter="data")
        manifest = read_manifest(scratch / name)
        (scratch / name).rename(target)
    except _READ_ERRORS as error:
        raise PlonedevError(
            f"{archive} could not be unpacked ({error})",
            _space_fix(error) if isinstance(error, OSError) else _MAKE_ONE,
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return manifest


def _snapshot_name(archive: Path) -> str:
    """The one folder the archive holds, with its manifest; raises when it is not one."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            names = tar.getnames()
    except _READ_ERRORS:
        raise PlonedevError(f"{archive} is not a snapshot archive", _MAKE_ONE) from None
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or f"{next(iter(tops))}/{MANIFEST}" not in names:
        raise PlonedevError(
            f"{archive} is not a snapshot archive (it holds no NAME/{MANIFEST})", _MAKE_ONE
        )
    (top,) = tops
    return check_name(top)


def _space_fix(error: OSError) -> str:
    return "free some disk space" if error.errno == errno.ENOSPC else "fix what the error names"
