"""Snapshots of the site's data: var/snapshots/NAME/, for every storage.

Each snapshot is a folder with the storage's data, as its snapshot kind writes it
(plonedev.backend.snapshot_files: FileStorage and ZEO; snapshot_postgres: RelStorage),
and `manifest.json`, written last: a folder without a manifest is not a snapshot.
The kind is chosen by the project's storage, once (`kind_for`).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from packaging.version import InvalidVersion, Version

from plonedev.backend.snapshot_files import FileSnapshots, remove
from plonedev.backend.snapshot_postgres import PostgresSnapshots
from plonedev.config import PlonedevConfig, Storage
from plonedev.errors import PlonedevError
from plonedev.model import Role
from plonedev.paths import ProjectPaths

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_CONVERSION_HINT = "converting between storages is not done yet"


@dataclass(frozen=True)
class Manifest:
    name: str
    created: str  # ISO 8601, UTC
    storage: str  # "filestorage", "zeo" or "relstorage"
    plone: str  # Products.CMFPlone's version ("" when not installed)
    addons: dict[str, str]  # the project's add-ons (tool.plonedev.addons, sources/)
    sizes: dict[str, int]  # bytes: "data" (repozo backup, dump), "blobs" (files)
    packages: dict[str, str] = field(default_factory=dict)  # the whole venv
    version: int = MANIFEST_VERSION
    # The command it was taken automatically before ("down --volumes"); "" when by hand.
    taken_before: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def snapshots_dir(paths: ProjectPaths) -> Path:
    return paths.var / "snapshots"


def default_name(now: datetime | None = None) -> str:
    """A UTC timestamp, sortable and valid as a folder name: 20261203T070500Z."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")


def check_name(name: str) -> str:
    """A snapshot name is one folder name: no slash, no leading dot."""
    if not _NAME.fullmatch(name):
        raise PlonedevError(
            f"invalid snapshot name {name!r}",
            "use letters, digits, '.', '_' and '-' (no slash), starting with a letter or digit",
        )
    return name


class SnapshotKind(Protocol):
    """How one storage's data goes into a snapshot folder and comes back."""

    @property
    def storage(self) -> str: ...  # as the manifest names it

    @property
    def servers(self) -> tuple[Role, ...]: ...  # what must run for save and put_back

    def has_data(self) -> bool: ...  # False before the first `up` made a database

    def where(self) -> str: ...  # the data's place, for messages

    def packages(self) -> dict[str, str]: ...  # the backend's distributions, by name

    def save(self, folder: Path) -> dict[str, int]:
        """Write the data into `folder` (it exists), consistently while the site runs;
        the sizes for the manifest."""
        ...

    def check_restore(self, folder: Path) -> None:
        """Raise when `folder` cannot be restored now: before any service stops."""
        ...

    def put_back(self, folder: Path) -> None:
        """Replace the live data with `folder`'s; the backend is stopped. A failure
        leaves the live data as it was."""
        ...


def kind_for(paths: ProjectPaths, config: PlonedevConfig) -> SnapshotKind:
    """The snapshot kind of the project's storage, natively (Compose's:
    plonedev.runtime.docker_snapshot)."""
    if config.storage is Storage.RELSTORAGE:
        return PostgresSnapshots(paths, config.ports.postgres)
    return FileSnapshots(paths, config.storage.value)


def read_manifest(folder: Path) -> Manifest:
    """The snapshot in `folder`; one line naming what is wrong when it is not one."""
    name = folder.name
    if not folder.is_dir():
        raise _unknown(name)
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except FileNotFoundError:
        raise PlonedevError(
            f"snapshot {name!r} has no {MANIFEST}: it is incomplete",
            f"delete it with `plonedev snapshot --delete {name}`",
        ) from None
    except (OSError, ValueError, TypeError) as error:
        raise PlonedevError(
            f"snapshot {name!r} has a corrupt {MANIFEST} ({error})",
            f"delete it with `plonedev snapshot --delete {name}`",
        ) from None
    if not isinstance(manifest.storage, str) or not isinstance(manifest.created, str):
        raise PlonedevError(f"snapshot {name!r} has a corrupt {MANIFEST}", "")
    return manifest


def check_restorable(paths: ProjectPaths, manifest: Manifest, kind: SnapshotKind) -> None:
    """Raise, changing nothing, when `kind` cannot put `manifest` back now."""
    if manifest.storage != kind.storage:
        raise PlonedevError(
            f"snapshot {manifest.name!r} holds a {manifest.storage} database, "
            f"this project uses storage = {kind.storage!r}",
            _CONVERSION_HINT,
        )
    _check_plone(manifest, kind.packages().get("Products.CMFPlone", ""))
    kind.check_restore(snapshots_dir(paths) / manifest.name)


def _check_plone(manifest: Manifest, installed: str) -> None:
    """A newer Plone's data may not load in an older one (its upgrade steps ran on it)."""
    try:
        newer = bool(installed and manifest.plone) and Version(manifest.plone) > Version(installed)
    except InvalidVersion:
        return  # a development version: let Plone judge
    if newer:
        raise PlonedevError(
            f"snapshot {manifest.name!r} was taken with Plone {manifest.plone}, "
            f"this backend has Plone {installed}",
            f'set plone-version = "{manifest.plone}" in [tool.plonedev] and run '
            "`plonedev up` first, or restore an older snapshot",
        )


def list_snapshots(paths: ProjectPaths) -> list[Manifest | PlonedevError]:
    """Every snapshot, oldest first; a broken one as the error that says why."""
    root = snapshots_dir(paths)
    found: list[Manifest | PlonedevError] = []
    if not root.is_dir():
        return found
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and _NAME.fullmatch(p.name)):
        try:
            found.append(read_manifest(folder))
        except PlonedevError as error:
            found.append(error)
    found.sort(key=lambda item: item.created if isinstance(item, Manifest) else "")
    return found


def take(
    paths: ProjectPaths,
    kind: SnapshotKind,
    name: str,
    addons: tuple[str, ...],
    *,
    taken_before: str = "",
) -> Manifest:
    """Save the data into var/snapshots/NAME; safe while the site runs."""
    check_name(name)
    target = snapshots_dir(paths) / name
    if target.exists():
        raise PlonedevError(
            f"a snapshot named {name!r} exists", "choose another name, or delete it first"
        )
    if not kind.has_data():
        raise PlonedevError(
            f"no database to snapshot at {kind.where()}",
            "start the project once with `plonedev up`",
        )
    partial = target.with_name(f".{name}.partial")  # a failure leaves no half snapshot
    remove(partial)
    try:
        manifest = _fill(kind, name, partial, addons, taken_before)
    except BaseException:
        remove(partial)
        raise
    partial.rename(target)
    return manifest


def _fill(
    kind: SnapshotKind,
    name: str,
    folder: Path,
    addons: tuple[str, ...],
    taken_before: str,
) -> Manifest:
    folder.mkdir(parents=True)
    created = datetime.now(UTC).isoformat(timespec="microseconds")
    sizes = kind.save(folder)
    packages = kind.packages()
    manifest = Manifest(
        name=name,
        created=created,
        storage=kind.storage,
        plone=packages.get("Products.CMFPlone", ""),
        addons=_addon_versions(addons, packages),
        sizes=sizes,
        packages=packages,
        taken_before=taken_before,
    )
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def put_back(paths: ProjectPaths, kind: SnapshotKind, manifest: Manifest) -> None:
    """Replace the data with the snapshot's; the backend must be stopped."""
    kind.put_back(snapshots_dir(paths) / manifest.name)


def delete(paths: ProjectPaths, name: str) -> None:
    folder = snapshots_dir(paths) / check_name(name)
    if not folder.is_dir():
        raise _unknown(name)
    shutil.rmtree(folder)


def _addon_versions(addons: tuple[str, ...], packages: dict[str, str]) -> dict[str, str]:
    by_key = {_key(name): (name, version) for name, version in packages.items()}
    found = (by_key.get(_key(re.split(r"[<>=!~;\[ ]", addon, maxsplit=1)[0])) for addon in addons)
    return dict(item for item in found if item)


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _unknown(name: str) -> PlonedevError:
    return PlonedevError(f"no snapshot named {name!r}", "list them with `plonedev snapshots`")
