"""One snapshot as one archive: `snapshot --export FILE`, `restore --import FILE`.

The archive is a tar of the snapshot's folder NAME/ (manifest.json and the storage's
files), gzip-compressed when FILE ends in .gz or .tgz, so a colleague's plonedev unpacks it
into var/snapshots/NAME. Both directions go through a hidden partial file or folder that
is renamed at the end: a failure leaves nothing half-written. Unpacking uses tarfile's
"data" filter (no absolute paths, no links out of the folder, no device files).
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

from plonedev.backend.snapshot import MANIFEST, Manifest, check_name, read_manifest, snapshots_dir
from plonedev.errors import PlonedevError, space_or_cause_fix
from plonedev.paths import ProjectPaths

_MAKE_ONE = "make one with `plonedev snapshot --export FILE`"
# What a truncated or corrupt archive raises while it is read.
_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


def check_target(target: Path) -> None:
    """Raise when the archive cannot be written at `target`: before anything is done."""
    if target.exists():
        raise PlonedevError(f"{target} exists", "choose another file name, or delete it first")
    if not target.parent.is_dir():
        raise PlonedevError(f"no folder {target.parent} to write {target.name} in", "create it")


def export(paths: ProjectPaths, manifest: Manifest, target: Path) -> int:
    """Write the snapshot of `manifest` into the archive `target`; the archive's size."""
    check_target(target)
    partial = target.with_name(f".{target.name}.partial")
    mode = "w:gz" if target.name.endswith((".gz", ".tgz")) else "w"
    try:
        # Level 1: the dump and repozo files compress little, speed matters more.
        options = {"compresslevel": 1} if mode == "w:gz" else {}
        with tarfile.open(partial, mode, **options) as archive:  # type: ignore[call-overload]
            archive.add(snapshots_dir(paths) / manifest.name, arcname=manifest.name)
        partial.rename(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise PlonedevError(
            f"could not write {target}: {error.strerror}", space_or_cause_fix(error)
        ) from None
    return target.stat().st_size


def unpack(paths: ProjectPaths, archive: Path) -> Manifest:
    """Unpack `archive` into var/snapshots/NAME; the snapshot it holds."""
    if not archive.is_file():
        raise PlonedevError(f"no file {archive}", "give the path of an archive from --export")
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 (closed by the `with tar` below)
    except _READ_ERRORS:
        raise _not_an_archive(archive) from None
    with tar:  # opened once: its member list is read once, then extracted from
        try:
            names = tar.getnames()
        except _READ_ERRORS:
            raise _not_an_archive(archive) from None
        return _extract(tar, archive, snapshots_dir(paths) / _snapshot_name(archive, names))


def _extract(tar: tarfile.TarFile, archive: Path, target: Path) -> Manifest:
    name = target.name
    if target.exists():
        raise PlonedevError(
            f"a snapshot named {name!r} exists already",
            f"restore it with `plonedev restore {name}`, or delete it first",
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".import-", dir=target.parent))
    try:
        tar.extractall(scratch, filter="data")
        manifest = read_manifest(scratch / name)
        (scratch / name).rename(target)
    except _READ_ERRORS as error:
        raise PlonedevError(
            f"{archive} could not be unpacked ({error})",
            space_or_cause_fix(error) if isinstance(error, OSError) else _MAKE_ONE,
        ) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return manifest


def _snapshot_name(archive: Path, names: list[str]) -> str:
    """The one folder the archive holds, with its manifest; raises when it is not one."""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) != 1 or f"{next(iter(tops))}/{MANIFEST}" not in names:
        raise PlonedevError(
            f"{archive} is not a snapshot archive (it holds no NAME/{MANIFEST})", _MAKE_ONE
        )
    (top,) = tops
    return check_name(top)


def _not_an_archive(archive: Path) -> PlonedevError:
    return PlonedevError(f"{archive} is not a snapshot archive", _MAKE_ONE)
