"""`plonedev snapshot`, `snapshots`, `restore`: the site's data at a moment, and back.

Native and Docker (Compose) runtimes, every storage (plonedev.backend.snapshot, with
the storage's kind: natively its own, with Compose plonedev.runtime.docker_snapshot's,
which write the same snapshot folders). A snapshot is taken while the site runs; a
restore stops the services that hold the data
(the backend, the ZEO server), puts the snapshot's data in place and starts again what
was running, in a finally block: a failed restore still leaves the site running on
the data it had. PostgreSQL does RelStorage's dump and restore: it runs for them (and
is stopped again after when it was not running).

Commands that destroy data (`down --volumes`, `site reset`, `remove-addon`, `restore`)
first take an automatic snapshot with `safety_snapshot`; the newest `snapshot-keep` of
those are kept, snapshots taken by hand are never deleted but by `--delete`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from plonedev.backend import snapshot as files
from plonedev.backend import snapshot_archive
from plonedev.backend.snapshot import Manifest
from plonedev.errors import PlonedevError, disk_full, space_or_cause_fix
from plonedev.model import Role
from plonedev.project_setup.find_project import RunningProject, open_project
from plonedev.project_setup.paused import services_paused, services_running
from plonedev.report import QuietReporter, Reporter
from plonedev.runtimes.registry import open_running_project, runtime_kind

_DATA_ROLES = (Role.BACKEND, Role.ZEO)  # the services with the database open


@dataclass(frozen=True)
class SnapshotResult:
    manifest: Manifest
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    manifest: Manifest
    restarted: list[str]
    seconds: float


def snapshot(start: Path, name: str | None = None, runtime: str | None = None) -> SnapshotResult:
    running = open_running_project(start, runtime)
    began = time.monotonic()
    manifest = _take(running, name or _free_name(running, files.default_name()))
    return SnapshotResult(manifest, time.monotonic() - began)


def safety_snapshot(running: RunningProject, before: str, reporter: Reporter) -> Manifest | None:
    """The data as it is, saved before `before` (a command) destroys some of it; None when
    there is none to save. Raises when it cannot be taken: the command must not go on."""
    if not _kind(running).has_data():
        return None  # no site was ever created: nothing to lose
    slug = re.sub(r"[^A-Za-z0-9]+", "-", before).strip("-")
    name = _free_name(running, f"{files.default_name()}-before-{slug}")
    try:
        manifest = _take(running, name, taken_before=before)
    except (PlonedevError, OSError) as error:
        # A full disk's own fix is the one below: its message only, not its hint twice.
        cause = error.message if isinstance(error, PlonedevError) and disk_full(error) else error
        raise PlonedevError(
            f"could not save the data before {before}, so nothing was changed: {cause}",
            f"{space_or_cause_fix(error)}, or pass --no-snapshot to go on without a snapshot",
        ) from None
    reporter.info(f"Saved the data first: snapshot {name} (`plonedev restore {name}`)")
    _prune_automatic(running)
    return manifest


def _take(running: RunningProject, name: str, *, taken_before: str = "") -> Manifest:
    config, kind = running.context.config, _kind(running)
    addons = config.addons + tuple(profile.split(":")[0] for profile in config.profiles)
    paths = running.context.paths
    # No server started for a project without data: that would make an empty one.
    servers = _servers(running, kind if kind.servers and kind.has_data() else None, QuietReporter())
    where = f"for snapshot {name!r} in {files.snapshots_dir(paths)}; nothing was saved"
    with _no_space(where), servers:
        return files.take(paths, kind, name, addons, taken_before=taken_before)


@contextmanager
def _no_space(where: str) -> Iterator[None]:
    """A full disk as one line that says so: not repozo's exit code and traceback, nor
    an OSError's crash report (a blob copied to another filesystem)."""
    try:
        yield
    except (PlonedevError, OSError) as error:
        if not disk_full(error):
            raise
        raise PlonedevError(f"no space left on the disk {where}", "free some disk space") from None


def _free_name(running: RunningProject, name: str) -> str:
    """`name`, or with -2, -3... when one was taken in the same second."""
    folder = files.snapshots_dir(running.context.paths)
    candidate, n = name, 1
    while (folder / candidate).exists() or (folder / f".{candidate}.partial").exists():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def _prune_automatic(running: RunningProject) -> None:
    """Only the newest `snapshot-keep` automatic snapshots stay."""
    paths, keep = running.context.paths, running.context.config.snapshot_keep
    automatic = [
        m for m in files.list_snapshots(paths) if isinstance(m, Manifest) and m.taken_before
    ]
    for manifest in automatic[:-keep]:
        files.delete(paths, manifest.name)


# Listing and deleting read var/snapshots only: they work whatever runtime would run,
# e.g. after `down` when auto-detection would now pick Docker.
def snapshots(start: Path) -> list[Manifest | PlonedevError]:
    return files.list_snapshots(open_project(start).paths)


def delete_snapshot(start: Path, name: str) -> None:
    files.delete(open_project(start).paths, name)


@dataclass(frozen=True)
class ExportResult:
    manifest: Manifest
    archive: Path
    size: int  # bytes
    taken: bool  # the snapshot was taken for the export


def export_snapshot(
    start: Path, name: str | None, archive: Path, runtime: str | None = None
) -> ExportResult:
    """Snapshot `name` as one archive; a new snapshot when there is none of that name."""
    paths = open_project(start).paths
    existing = name is not None and (files.snapshots_dir(paths) / files.check_name(name)).is_dir()
    snapshot_archive.check_target(archive)  # before a snapshot is taken for nothing
    manifest = (
        files.read_manifest(files.snapshots_dir(paths) / str(name))
        if existing
        else snapshot(start, name, runtime).manifest
    )
    size = snapshot_archive.export(paths, manifest, archive)
    return ExportResult(manifest, archive, size, taken=not existing)


def import_snapshot(start: Path, archive: Path) -> Manifest:
    """Unpack an archive from `export_snapshot` into var/snapshots, for `restore`."""
    return snapshot_archive.unpack(open_project(start).paths, archive)


def snapshot_to_restore(
    start: Path, name: str | None, runtime: str | None = None
) -> tuple[str, Manifest]:
    """The project's name and the snapshot `restore` would put back (--latest: None);
    raises, changing nothing, when it cannot be restored here."""
    running = open_running_project(start, runtime)
    return running.project.name, _restorable(running, name)


def restore(
    start: Path,
    name: str | None,
    reporter: Reporter,
    runtime: str | None = None,
    *,
    take_snapshot: bool = True,
) -> RestoreResult:
    running = open_running_project(start, runtime)
    manifest = _restorable(running, name)
    began = time.monotonic()
    if take_snapshot:
        safety_snapshot(running, "restore", reporter)
    project = running.project
    holders = tuple(s.name for s in project.services if s.role in _DATA_ROLES)
    kind = _kind(running)
    # Started again after, on whichever data is in place then; the servers a restore
    # needs are inside: stopped after it when they did not run, before the backend starts.
    with (
        services_paused(running, holders, reporter.event) as stopped,
        _servers(running, kind, reporter),
        # put_back builds the data next to the live one before it swaps them.
        _no_space(f"to restore {manifest.name!r} at {kind.where()}; the data is as it was"),
    ):
        files.put_back(running.context.paths, kind, manifest)
    return RestoreResult(manifest, stopped, time.monotonic() - began)


def _restorable(running: RunningProject, name: str | None) -> Manifest:
    paths, storage = running.context.paths, running.context.config.storage.value
    if name is None:
        # The newest this project can restore: one of another storage would be refused.
        found = [
            m
            for m in files.list_snapshots(paths)
            if isinstance(m, Manifest) and m.storage == storage
        ]
        if not found:
            raise PlonedevError(
                f"no snapshot of this project's storage ({storage}) to restore",
                "take one with `plonedev snapshot`",
            )
        # One taken by hand first: else a second `restore --latest` would put back the
        # automatic snapshot the first one took, undoing it.
        by_hand = [m for m in found if not m.taken_before]
        manifest = (by_hand or found)[-1]
    else:
        folder = files.snapshots_dir(paths) / files.check_name(name)
        manifest = files.read_manifest(folder)
    files.check_restorable(paths, manifest, _kind(running))
    return manifest


def _kind(running: RunningProject) -> files.SnapshotKind:
    return runtime_kind(running.resolution.name).snapshot_kind(running)


def _servers(
    running: RunningProject, kind: files.SnapshotKind | None, reporter: Reporter
) -> AbstractContextManager[list[str]]:
    """The services `kind` talks to, running for the block."""
    roles = kind.servers if kind else ()
    names = tuple(s.name for s in running.project.services if s.role in roles)
    return services_running(running, names, reporter.event)
