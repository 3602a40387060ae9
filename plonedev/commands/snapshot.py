"""`plonedev snapshot`, `snapshots`, `restore`: the site's data at a moment, and back.

Native runtime, FileStorage and ZEO (plonedev.backend.snapshot does the files). A
snapshot is taken while the site runs; a restore stops the services that hold the data
(the backend, the ZEO server), puts the snapshot's data in place and starts again what
was running, in a finally block: a failed restore still leaves the site running on
the data it had.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from plonedev.backend import snapshot as files
from plonedev.backend.snapshot import Manifest
from plonedev.errors import PlonedevError
from plonedev.model import Role
from plonedev.project_setup.context import RunningProject, open_running_project
from plonedev.project_setup.paused import services_paused
from plonedev.report import Reporter

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
    running = _open(start, runtime)
    config = running.context.config
    began = time.monotonic()
    addons = config.addons + tuple(profile.split(":")[0] for profile in config.profiles)
    manifest = files.take(
        running.context.paths, config.storage.value, name or files.default_name(), addons
    )
    return SnapshotResult(manifest, time.monotonic() - began)


def snapshots(start: Path) -> list[Manifest | PlonedevError]:
    running = _open(start, None)
    return files.list_snapshots(running.context.paths)


def delete_snapshot(start: Path, name: str) -> None:
    files.delete(_open(start, None).context.paths, name)


def snapshot_to_restore(
    start: Path, name: str | None, runtime: str | None = None
) -> tuple[str, Manifest]:
    """The project's name and the snapshot `restore` would put back (--latest: None);
    raises, changing nothing, when it cannot be restored here."""
    running = _open(start, runtime)
    return running.project.name, _restorable(running, name)


def restore(
    start: Path, name: str | None, reporter: Reporter, runtime: str | None = None
) -> RestoreResult:
    running = _open(start, runtime)
    manifest = _restorable(running, name)
    began = time.monotonic()
    project = running.project
    holders = tuple(s.name for s in project.services if s.role in _DATA_ROLES)
    # Started again after, on whichever data is in place then.
    with services_paused(running, holders, reporter.event) as stopped:
        files.put_back(running.context.paths, manifest)
    return RestoreResult(manifest, stopped, time.monotonic() - began)


def _restorable(running: RunningProject, name: str | None) -> Manifest:
    paths, storage = running.context.paths, running.context.config.storage.value
    files.data_fs(paths, storage)  # a storage snapshots do not cover says so first
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
        manifest = found[-1]
    else:
        folder = files.snapshots_dir(paths) / files.check_name(name)
        manifest = files.read_manifest(folder)
    files.check_restorable(manifest, storage)
    return manifest


def _open(start: Path, runtime: str | None) -> RunningProject:
    running = open_running_project(start, runtime)
    if running.resolution.name != "native":
        raise PlonedevError(
            f"snapshots work with the native runtime only, this project runs in "
            f"{running.resolution.name}",
            "Compose volumes are not done yet; use `--runtime native`",
        )
    return running
