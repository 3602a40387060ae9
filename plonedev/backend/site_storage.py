"""Which storage holds the site's data, so a changed `storage` does not hide it.

Changing `[tool.plonedev] storage` with a site in var/ would make `up` start an empty
site in the new storage while the old data sits unused: the user thinks their content
is gone. The storage that holds the site is recorded in var/storage, next to the data
(.plonedev/ is safe to delete; var/ is not). A project without the record (made before
it existed) has its storage inferred from the data in var/. A record whose data is gone
(`down --volumes`) holds nothing. Only the native runtime keeps its data in var/.
"""

from __future__ import annotations

from pathlib import Path

from plonedev.config import Storage
from plonedev.errors import PlonedevError
from plonedev.files import write_atomic
from plonedev.paths import ProjectPaths


def record_path(paths: ProjectPaths) -> Path:
    return paths.var / "storage"


def data_path(paths: ProjectPaths, storage: Storage) -> Path:
    """Where `storage` keeps the site's data natively: its presence says there is data."""
    if storage is Storage.ZEO:
        return paths.zeo_data / "Data.fs"
    if storage is Storage.RELSTORAGE:
        return paths.postgres_data
    return paths.filestorage


def holding(paths: ProjectPaths) -> tuple[Storage, ...]:
    """The storages that hold the site's data: the recorded one, else what var/ has."""
    with_data = tuple(s for s in Storage if data_path(paths, s).exists())
    recorded = _recorded(paths)
    return (recorded,) if recorded in with_data else with_data


def check(paths: ProjectPaths, configured: Storage, *, fresh: bool = False) -> None:
    """Refuse to start on `configured` while the site's data is in another storage,
    unless `fresh` (an empty site there; the other storage's data stays)."""
    held = holding(paths)
    if fresh or not held or configured in held:
        return
    old = held[0]
    where = data_path(paths, old).relative_to(paths.root)
    folder = where.parent if old is not Storage.RELSTORAGE else where
    new = configured.value
    if data_path(paths, configured).exists():  # switching back: its older site is there
        fresh_does = f"to use the site already in {new}"
    else:
        fresh_does = f"to start an empty site in {new}"
    raise PlonedevError(
        f'the site\'s data is in {old.value} ({folder}) but storage = "{new}"',
        f'set storage = "{old.value}" back, or run `plonedev up --fresh` {fresh_does} '
        f"(the {old.value} data stays in var/)",
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
