"""What every part of the stack file is rendered from, and the names the parts share.

One StackContext per rendering: the project's model (built for the stack's storage and
with Varnish), the options and images, and the named volumes collected as the services
name them (the file's top-level `volumes`, in the order the services first use them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from plonedev.config import PlonedevConfig
from plonedev.model import Project, Role, Service
from plonedev.render.stack_images import StackImages
from plonedev.render.stack_options import StackOptions, StackStorage

EDGE_NETWORK = "edge"  # overlay: the ingress, and what reaches the outside
INTERNAL_NETWORK = "internal"  # overlay, internal: everything else
FRONTEND_PORT = 3000
BLOB_VOLUME = "blobs"
ACME_VOLUME = "letsencrypt"
DB_SECRET = "db_password"  # noqa: S105 (a secret's key, not its value)
ADMIN_KEY = "admin_password"
# How long a stopping Varnish or frontend keeps serving: longer than the ingress takes to
# notice (nginx's DNS cache: 5 s; Traefik's Swarm refresh: TRAEFIK_PROVIDERS_SWARM_REFRESHSECONDS).
DRAIN_SECONDS = 8


@dataclass
class StackContext:
    config: PlonedevConfig
    project: Project
    options: StackOptions
    images: StackImages
    storage: StackStorage
    volumes: list[str] = field(default_factory=list)  # named volumes, as first used

    @property
    def prefix(self) -> str:
        """Traefik's router, service and middleware names start with it."""
        return self.project.name

    @property
    def dnsrr(self) -> bool:
        return not self.options.ipvs

    @property
    def frontend(self) -> Service | None:
        """The frontend runs when the project has one and `plonedev build` makes its image."""
        return self.by_role(Role.FRONTEND) if self.images.frontend else None

    def by_role(self, role: Role) -> Service | None:
        return self.project.by_role(role)

    def required(self, role: Role) -> Service:
        service = self.by_role(role)
        if service is None or service.container is None:
            raise ValueError(f"the stack's model has no {role.value} container")
        return service

    def volume(self, name: str, target: str) -> dict[str, Any]:
        """A named volume mounted at `target`, declared in the file once."""
        if name not in self.volumes:
            self.volumes.append(name)
        return {"type": "volume", "source": name, "target": target}
