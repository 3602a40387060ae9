"""The Zope instance's settings, derived from the project's config in one place.

An instance runs natively, in the development container or in the production stack;
where it runs changes only its place (folders, addresses, which blob folder is shared)
and whether it is for development. What comes from the config (the storage, debug mode
and plone.reload, the packages loaded through site.zcml) is decided here, once: each
caller names its place, and render_instance only formats.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from plonedev.backend.instance import InstanceSettings
from plonedev.config import PlonedevConfig, Storage


@dataclass(frozen=True)
class InstancePlace:
    """Where one instance runs: its folders and the addresses it listens on and reaches."""

    instance_dir: Path
    var_dir: Path
    blob_dir: Path  # FileStorage: the blobs; ZEO and RelStorage: a blob cache or shared dir
    filestorage_path: Path
    http: tuple[str, int]
    zeo_address: tuple[str, int]
    zeo_blob_shared: bool  # client and ZEO server see the same blob folder
    relstorage_dsn: str


@dataclass(frozen=True)
class Production:
    """What only a production instance has."""

    zcml_overrides: tuple[str, ...] = ()  # packages whose overrides.zcml replaces Plone's
    threads: int = 2  # per replica: scale with replicas rather than threads


def instance_settings(
    config: PlonedevConfig,
    place: InstancePlace,
    *,
    storage: Storage | None = None,
    production: Production | None = None,
) -> InstanceSettings:
    """The instance for `config` at `place`; `storage`: another than the config's (the
    stack shares one database between replicas, so it never uses a FileStorage)."""
    development = production is None and config.debug
    settings = InstanceSettings(
        instance_dir=place.instance_dir,
        var_dir=place.var_dir,
        blob_dir=place.blob_dir,
        filestorage_path=place.filestorage_path,
        http_host=place.http[0],
        http_port=place.http[1],
        debug_mode=development,
        reload_enabled=development,
        storage=(storage or config.storage).value,
        zeo_address=place.zeo_address,
        zeo_blob_shared=place.zeo_blob_shared,
        relstorage_dsn=place.relstorage_dsn,
        # A package without a plone.autoinclude entry point is loaded through site.zcml.
        zcml_includes=config.zcml_includes,
    )
    if production is None:
        return settings
    return replace(settings, zcml_overrides=production.zcml_overrides, threads=production.threads)
