"""The production images' build contexts: the backend layer and Varnish with its VCL.

Pure: each function returns file contents (name -> (text, mode)); plonedev build writes
them to a temporary folder and builds. Paths are paths inside the containers, the same
as the development images' (plonedev.render.containers).

The backend layer bakes in the caching settings (plone.app.caching, purging on) and the
purger that sends each PURGE to every Varnish task: the proxy is tasks.varnish, which
Swarm's DNS answers with every task's address, resolved again at each purge.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from plonedev.backend.caching import caching_settings_file
from plonedev.backend.instance import InstanceSettings, render_instance, render_zeo_server
from plonedev.backend.instance_place import InstancePlace, Production, instance_settings
from plonedev.config import PlonedevConfig, Storage
from plonedev.render.containers import (
    BACKEND_PORT,
    DATA,
    INSTANCE,
    POSTGRES_DB,
    POSTGRES_PORT,
    POSTGRES_USER,
    VARNISH_PORT,
    ZEO_PORT,
)
from plonedev.render.stack_options import StackStorage

BLOBS = "/blobs"  # ZEO: the server's blob volume (the clients have a cache each)
# Service names in the stack: the model's names, so every rendering agrees.
POSTGRES_SERVICE = "postgres"
ZEO_SERVICE = "zeo"
VARNISH_SERVICE = "varnish"
ZOPE_THREADS = 2  # per replica; scale with --backend-replicas rather than threads
# Where Plone sends PURGE: every Varnish task's address (Docker's DNS), one PURGE each.
PURGE_PROXY = f"http://tasks.{VARNISH_SERVICE}:{VARNISH_PORT}"
# The purger package (templates/stack/), loaded over plone.cachepurging's.
PURGER_PACKAGE = "plonedev_purging"
PURGER_FILES = ("__init__.py", "fanout.py", "purger.py", "overrides.zcml")
# Read by the image's create_site.py (CACHING_SETTINGS) before the first replica serves.
CACHING_SETTINGS = f"{INSTANCE}/caching.json"

BuildFiles = dict[str, tuple[str, int]]


def stack_storage(config: PlonedevConfig) -> StackStorage:
    """ZEO when the project develops on ZEO; otherwise PostgreSQL with RelStorage (a
    FileStorage cannot be shared by several backends)."""
    return StackStorage.ZEO if config.storage is Storage.ZEO else StackStorage.RELSTORAGE


def storage_requirements(config: PlonedevConfig, storage: StackStorage) -> str:
    """What the development image lacks for the stack's storage ("" = nothing)."""
    if Storage(storage.value) is config.storage:
        return ""
    return "ZEO" if storage is StackStorage.ZEO else "RelStorage[postgresql]"


def stack_dsn() -> str:
    """libpq keywords without the password: libpq reads PGPASSWORD, set from the secret."""
    return (
        f"host={POSTGRES_SERVICE} port={POSTGRES_PORT} dbname={POSTGRES_DB} "
        f"user={POSTGRES_USER} connect_timeout=10"
    )


def stack_instance_settings(
    config: PlonedevConfig, storage: StackStorage, dsn: str = ""
) -> InstanceSettings:
    """`dsn`: the database's libpq keywords, without the password ("" = the stack's)."""
    data = Path(DATA)
    place = InstancePlace(
        instance_dir=Path(INSTANCE),
        var_dir=data / "var",
        # Blobs live in the database server (PostgreSQL, or the ZEO server's volume):
        # each replica keeps a cache, so it may run on any node.
        blob_dir=data / "blobcache",
        filestorage_path=data / "filestorage" / "Data.fs",  # unused
        http=("0.0.0.0", BACKEND_PORT),  # noqa: S104 (inside the container)
        zeo_address=(ZEO_SERVICE, ZEO_PORT),
        zeo_blob_shared=False,  # ZEO sends the blobs; no blob folder shared across nodes
        relstorage_dsn=dsn or stack_dsn(),
    )
    production = Production(zcml_overrides=(PURGER_PACKAGE,), threads=ZOPE_THREADS)
    return instance_settings(config, place, storage=Storage(storage.value), production=production)


def stack_instance_files(
    config: PlonedevConfig, storage: StackStorage, dsn: str = ""
) -> dict[str, str]:
    """zope.conf, zope.ini, site.zcml (and zeo.conf), relative to the instance folder."""
    instance = Path(INSTANCE)
    files = render_instance(stack_instance_settings(config, storage, dsn))
    if storage is StackStorage.ZEO:
        data = Path(DATA)
        files.update(
            render_zeo_server(
                instance / "zeo",
                "0.0.0.0",  # noqa: S104 (inside the container)
                ZEO_PORT,
                Path(BLOBS),
                data / "filestorage" / "Data.fs",
            )
        )
    return {path.relative_to(instance).as_posix(): text for path, text in files.items()}


def backend_build_files(config: PlonedevConfig, storage: StackStorage) -> BuildFiles:
    files: BuildFiles = {
        "Dockerfile": (_template("backend.Dockerfile"), 0o644),
        "stack-entrypoint": (_template("stack-entrypoint"), 0o755),
    }
    for name, text in stack_instance_files(config, storage).items():
        files[f"instance/{name}"] = (text, 0o644)
    files["instance/caching.json"] = (caching_settings_file((PURGE_PROXY,)), 0o644)
    for name in PURGER_FILES:
        files[f"{PURGER_PACKAGE}/{name}"] = (_template(f"{PURGER_PACKAGE}/{name}"), 0o644)
    return files


def varnish_build_files(vcl: str) -> BuildFiles:
    return {
        "Dockerfile": (_template("varnish.Dockerfile"), 0o644),
        "stack-varnish": (_template("stack-varnish"), 0o755),
        "default.vcl": (vcl, 0o644),
    }


def _template(name: str) -> str:
    path = resources.files("plonedev").joinpath("templates", "stack", *name.split("/"))
    return path.read_text("utf-8")
