"""Snapshots of a FileStorage or ZEO database: var/snapshots/NAME/.

Each snapshot is a folder with its own repozo repository (`repozo/`), a hard-linked copy
of the blob tree (`blobstorage/`) and `manifest.json`, written last: a folder without a
manifest is not a snapshot.

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

import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from plonedev.backend.environment import venv_python, venv_script
from plonedev.errors import PlonedevError
from plonedev.paths import ProjectPaths
from plonedev.streaming import run_streaming

MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
SNAPSHOT_STORAGES = ("filestorage", "zeo")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_BLOB_TMP = "tmp"  # ZODB's folder for blobs not committed yet
_CONVERSION_HINT = "converting between storages is not done yet"

# The venv's distributions as {name: version}: what the data was written with.
_VERSIONS_SCRIPT = (
    "import importlib.metadata as m, json; "
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


@dataclass(frozen=True)
class Manifest:
    name: str
    created: str  # ISO 8601, UTC
    storage: str  # "filestorage" or "zeo"
    plone: str  # Products.CMFPlone's version ("" when not installed)
    addons: dict[str, str]  # the project's add-ons (tool.plonedev.addons, sources/)
    sizes: dict[str, int]  # bytes: "data" (the repozo backup), "blobs"
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


def data_fs(paths: ProjectPaths, storage: str) -> Path:
    """The Data.fs a storage writes: the backend's own, or the ZEO server's."""
    if storage == "filestorage":
        return paths.filestorage
    if storage == "zeo":
        return paths.zeo_data / "Data.fs"
    raise PlonedevError(
        f"snapshots support storage = filestorage or zeo, not {storage!r}",
        "RelStorage's data is in PostgreSQL: use pg_dump for now",
    )


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


def check_restorable(manifest: Manifest, storage: str) -> None:
    if manifest.storage != storage:
        raise PlonedevError(
            f"snapshot {manifest.name!r} holds a {manifest.storage} database, "
            f"this project uses storage = {storage!r}",
            _CONVERSION_HINT,
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
    storage: str,
    name: str,
    addons: tuple[str, ...],
    *,
    taken_before: str = "",
) -> Manifest:
    """Back the database up into var/snapshots/NAME; safe while the site runs."""
    check_name(name)
    source = data_fs(paths, storage)
    target = snapshots_dir(paths) / name
    if target.exists():
        raise PlonedevError(
            f"a snapshot named {name!r} exists", "choose another name, or delete it first"
        )
    if not source.is_file():
        raise PlonedevError(
            f"no database to snapshot at {source}", "start the project once with `plonedev up`"
        )
    partial = target.with_name(f".{name}.partial")  # a failure leaves no half snapshot
    _remove(partial)
    try:
        manifest = _fill(paths, storage, name, source, partial, addons, taken_before)
    except BaseException:
        _remove(partial)
        raise
    partial.rename(target)
    return manifest


def _fill(
    paths: ProjectPaths,
    storage: str,
    name: str,
    source: Path,
    folder: Path,
    addons: tuple[str, ...],
    taken_before: str,
) -> Manifest:
    (folder / "repozo").mkdir(parents=True)
    created = datetime.now(UTC).isoformat(timespec="microseconds")
    _repozo(paths, ["-B", "-r", str(folder / "repozo"), "-f", str(source)], "backing up")
    link_tree(paths.blobstorage, folder / "blobstorage")  # after the backup: see above
    packages = installed_packages(paths)
    manifest = Manifest(
        name=name,
        created=created,
        storage=storage,
        plone=packages.get("Products.CMFPlone", ""),
        addons=_addon_versions(addons, packages),
        sizes={"data": tree_size(folder / "repozo"), "blobs": tree_size(folder / "blobstorage")},
        packages=packages,
        taken_before=taken_before,
    )
    (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest


def put_back(paths: ProjectPaths, manifest: Manifest) -> None:
    """Replace the database and blobs with the snapshot's; the services must be stopped.

    Everything is first rebuilt next to the live data, then swapped in by renames: a
    failure before the swap leaves the current data as it was.
    """
    folder = snapshots_dir(paths) / manifest.name
    live = data_fs(paths, manifest.storage)
    new_data = live.with_name("Data.fs.restoring")
    new_blobs = paths.blobstorage.with_name("blobstorage.restoring")
    for stale in (new_data, new_blobs):
        _remove(stale)
    live.parent.mkdir(parents=True, exist_ok=True)
    try:
        _repozo(paths, ["-R", "-r", str(folder / "repozo"), "-o", str(new_data)], "restoring")
        link_tree(folder / "blobstorage", new_blobs)
    except BaseException:
        _remove(new_data)
        _remove(new_blobs)
        raise
    # The index, lock and pack leftovers describe the old file: FileStorage rebuilds.
    for suffix in (".index", ".lock", ".tmp", ".old"):
        _remove(live.with_name(live.name + suffix))
    _swap(new_data, live)
    _swap(new_blobs, paths.blobstorage)


def delete(paths: ProjectPaths, name: str) -> None:
    folder = snapshots_dir(paths) / check_name(name)
    if not folder.is_dir():
        raise _unknown(name)
    shutil.rmtree(folder)


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


def installed_packages(paths: ProjectPaths) -> dict[str, str]:
    python = venv_python(paths.venv)
    if not python.exists():
        return {}
    output = run_streaming(
        [str(python), "-c", _VERSIONS_SCRIPT],
        cwd=paths.root,
        what="reading the backend's package versions",
        hint="run `plonedev up` to install the backend",
    )
    versions: dict[str, str] = json.loads(output.strip().splitlines()[-1])
    return dict(sorted(versions.items(), key=lambda item: item[0].lower()))


def _addon_versions(addons: tuple[str, ...], packages: dict[str, str]) -> dict[str, str]:
    by_key = {_key(name): (name, version) for name, version in packages.items()}
    found = (by_key.get(_key(re.split(r"[<>=!~;\[ ]", addon, maxsplit=1)[0])) for addon in addons)
    return dict(item for item in found if item)


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _unknown(name: str) -> PlonedevError:
    return PlonedevError(f"no snapshot named {name!r}", "list them with `plonedev snapshots`")


def _repozo(paths: ProjectPaths, args: list[str], what: str) -> None:
    repozo = venv_script(paths.venv, "repozo")
    run_streaming(
        [str(repozo), *args],
        cwd=paths.root,
        what=f"repozo {what}",
        hint="repozo comes with ZODB in the backend's venv: run `plonedev up` to install it",
    )


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another filesystem, or one without hard links
        shutil.copy2(source, target)


def _swap(new: Path, live: Path) -> None:
    old = live.with_name(live.name + ".replaced")
    _remove(old)
    if live.exists():
        live.rename(old)
    new.rename(live)
    _remove(old)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _files(path: Path) -> Iterator[Path]:
    if path.is_file():
        yield path
    elif path.is_dir():
        yield from (p for p in path.rglob("*") if p.is_file())
