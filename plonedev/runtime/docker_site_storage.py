"""Where each storage keeps the site's data with Compose: the project's named volumes.

Compose prefixes a volume with the project's name, and the engine lists a project's
volumes by label without starting anything (plonedev.backend.site_storage decides with
them). FileStorage's backend-data is mounted by the backend with every storage (the
blob cache of ZEO and RelStorage): it is shared, its presence proves less.
"""

from __future__ import annotations

from collections.abc import Collection

from plonedev.backend.site_storage import Place
from plonedev.config import Storage
from plonedev.render.containers import BACKEND_VOLUME, POSTGRES_VOLUME, ZEO_VOLUME


def compose_places(project: str, volumes: Collection[str]) -> dict[Storage, Place]:
    """`volumes`: the names the engine has for the project's volumes."""

    def place(volume: str, *, shared: bool = False) -> Place:
        where = f"the {volume} volume"
        return Place(where, f"{project}_{volume}" in volumes, where, shared=shared)

    return {
        Storage.FILESTORAGE: place(BACKEND_VOLUME, shared=True),
        Storage.ZEO: place(ZEO_VOLUME),
        Storage.RELSTORAGE: place(POSTGRES_VOLUME),
    }
