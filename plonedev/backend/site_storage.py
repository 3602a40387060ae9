"""Which storage holds the site's data, so a changed `storage` does not hide it.

Changing `[tool.plonedev] storage` with a site in var/ would make `up` start an empty
site in the new storage while the old data sits unused: the user thinks their content
is gone. The storage that holds the site is recorded in var/storage, next to the data
(.plonedev/ is safe to delete; var/ is not). A project without the record (made before
it existed) has its storage inferred from the data in var/. A record whose data is gone
(`down --volumes`) holds nothing.

The rule is the same in every runtime; the runtime says where each storage keeps its
data (RuntimeKind.storage_places): natively the folders of var/, with Compose the
project's named volumes (plonedev.runtime.docker_site_storage), which exist or not and
are listed by the engine without starting anything. The record is var/storage in both
runtimes: a label cannot be changed on an existing volume, and the volumes outlive any
switch, so they cannot say which one holds the site now. Compose's backend-data volume
is FileStorage's data but also the other storages' blob cache: it is `shared`, so
without a record a storage with a volume of its own is taken to hold the site.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from plonedev.config import Storage
from plonedev.errors import PlonedevError
from plonedev.files import write_atomic
from plonedev.paths import ProjectPaths


@dataclass(frozen=True)
class Place:
    """Where a storage keeps the site's data in a runtime, as the user knows it."""

    where: str  # "var/filestorage", "the zeo-data volume"
    exists: bool  # there is data (`shared`: there may be)
    home: str  # what keeps the data when another storage is used: "var/"
    shared: bool = False  # also other storages' files: its presence proves less


Places = Mapping[Storage, Place]


def native_places(paths: ProjectPaths) -> dict[Storage, Place]:
    """The folders of var/ (a folder, not its Data.fs, is what the user knows)."""
    places = {}
    for storage in Storage:
        data = data_path(paths, storage)
        folder = data.parent if storage is not Storage.RELSTORAGE else data
        places[storage] = Place(str(folder.relative_to(paths.root)), data.exists(), "var/")
    return places


def record_path(paths: ProjectPaths) -> Path:
    return paths.var / "storage"


def data_path(paths: ProjectPaths, storage: Storage) -> Path:
    """Where `storage` keeps the site's data natively: its presence says there is data."""
    if storage is Storage.ZEO:
        return paths.zeo_data / "Data.fs"
    if storage is Storage.RELSTORAGE:
        return paths.postgres_data
    return paths.filestorage


def holding(paths: ProjectPaths, places: Places | None = None) -> tuple[Storage, ...]:
    """The storages that hold the site's data (`places`: natively var/'s): the recorded
    one, else those with data (a shared place only when no other has any)."""
    places = native_places(paths) if places is None else places
    with_data = tuple(s for s in Storage if places[s].exists)
    recorded = _recorded(paths)
    if recorded in with_data:
        return (recorded,)
    return tuple(s for s in with_data if not places[s].shared) or with_data


def check(
    paths: ProjectPaths, configured: Storage, *, fresh: bool = False, places: Places | None = None
) -> None:
    """Refuse to start on `configured` while the site's data is in another storage,
    unless `fresh` (an empty site there; the other storage's data stays)."""
    places = native_places(paths) if places is None else places
    held = holding(paths, places)
    if fresh or not held or configured in held:
        return
    old, target = held[0], places[configured]
    folder = places[old].where
    new = configured.value
    if target.shared and target.exists:  # its place may hold an older site, or nothing
        fresh_does = f"to use {new}'s older site or start an empty one"
    elif target.exists:  # switching back: its older site is there
        fresh_does = f"to use the site already in {new}"
    else:
        fresh_does = f"to start an empty site in {new}"
    raise PlonedevError(
        f'the site\'s data is in {old.value} ({folder}) but storage = "{new}"',
        f'set storage = "{old.value}" back, or run `plonedev up --fresh` {fresh_does} '
        f"(the {old.value} data stays in {places[old].home})",
    )


def record(paths: ProjectPaths, storage: Storage) -> None:
    """The site is in `storage` now (written only when that changes)."""
    if _recorded(paths) is not storage:
        write_atomic(record_path(paths), f"{storage.value}\n")


def _recorded(paths: ProjectPaths) -> Storage | None:
    try:
        return Storage(record_path(paths).read_text().strip())
    except (OSError, ValueError):  # none, or not one we know: infer from the data
        return None
