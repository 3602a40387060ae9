"""The stack's database: PostgreSQL for RelStorage, or a ZEO server with the blob volume.

Either runs once, on one node (its volume is local there: --database-node, else a
manager), and stops before its replacement starts: two servers must never open the same
data. The backends may run on any node: they reach it over the internal overlay network
(ZEO's backends keep a blob cache of their own, no shared blob folder).
"""

from __future__ import annotations

from typing import Any

from plonedev.model import Service
from plonedev.render.stack_backend import BLOBS
from plonedev.render.stack_context import BLOB_VOLUME, DB_SECRET, INTERNAL_NETWORK, StackContext
from plonedev.render.stack_deploy import MANAGER, deploy, healthcheck, stop_settings


def postgres_service(ctx: StackContext, service: Service) -> dict[str, Any]:
    container = service.container
    assert container is not None
    # Development trusts local connections; the stack reads the password from a secret.
    env = {k: v for k, v in container.env.items() if k != "POSTGRES_HOST_AUTH_METHOD"}
    env["POSTGRES_PASSWORD_FILE"] = f"/run/secrets/{DB_SECRET}"
    doc: dict[str, Any] = {
        "image": container.image,
        "environment": env,
        "secrets": [{"source": DB_SECRET, "target": DB_SECRET}],
        "volumes": [ctx.volume(m.source, m.target) for m in container.mounts],
        "networks": [INTERNAL_NETWORK],
    }
    return _database(ctx, doc, service, "postgres")


def zeo_service(ctx: StackContext, service: Service) -> dict[str, Any]:
    container = service.container
    assert container is not None
    doc: dict[str, Any] = {
        "image": ctx.images.backend,  # runzeo is in the backend's image
        "command": list(container.command),
        "volumes": [
            *(ctx.volume(m.source, m.target) for m in container.mounts),
            ctx.volume(BLOB_VOLUME, BLOBS),
        ],
        "networks": [INTERNAL_NETWORK],
    }
    return _database(ctx, doc, service, "zeo")


def _database(
    ctx: StackContext, doc: dict[str, Any], service: Service, role: str
) -> dict[str, Any]:
    """Health, stop and deploy settings: one task, on its node, stopped first."""
    assert service.container is not None
    if service.container.health is not None:
        doc["healthcheck"] = healthcheck(service.container.health, 60)
    doc.update(stop_settings(service))
    node = ctx.options.database_node
    placement = f"node.hostname == {node}" if node else MANAGER
    doc["deploy"] = deploy(role, order="stop-first", dnsrr=ctx.dnsrr, placement=(placement,))
    return doc
