"""What `plonedev export-stack` is asked for: host, ingress, images, replicas, networking.

Validated here, once, so the renderers can trust every value they put into YAML, nginx
configuration or Traefik rules (none of which has an escaping rule plonedev could rely on).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from plonedev.config import HOST_NAME, IMAGE_REFERENCE
from plonedev.errors import PlonedevError
from plonedev.render.stack_images import validate_registry_and_tag


class Ingress(StrEnum):
    TRAEFIK = "traefik"
    NGINX = "nginx"


class StackStorage(StrEnum):
    """Storages that several backends can share (a FileStorage cannot be shared)."""

    RELSTORAGE = "relstorage"
    ZEO = "zeo"


DEFAULT_TRAEFIK_IMAGE = "traefik:v3.3"
DEFAULT_NGINX_IMAGE = "nginx:1.27"

# local@domain: what Let's Encrypt accepts (a domain with a dot, no quotes or blanks).
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9!#$%&*+/=?^_{|}~.-]+")


@dataclass(frozen=True)
class StackOptions:
    host: str  # the public host name the site answers on
    ingress: Ingress = Ingress.TRAEFIK
    registry: str = ""  # "" = image names without a registry (local images, or Docker Hub)
    tag: str = "latest"
    backend_replicas: int = 2
    frontend_replicas: int = 2
    # More than one on several nodes: a node drained or lost keeps a cache serving.
    varnish_replicas: int = 1
    # False on hosts without IPVS (no routing mesh, no service VIPs): ports are published
    # on the node itself and service names resolve to the tasks (DNS round-robin).
    ipvs: bool = True
    # The node (its hostname) the database and its volume live on; "" = a manager,
    # which pins it to one node only while the Swarm has one manager.
    database_node: str = ""
    http_port: int = 80
    https_port: int = 443  # Traefik only: nginx serves plain HTTP (TLS ends before it)
    acme_email: str = ""  # Let's Encrypt account e-mail (optional)
    ingress_image: str = ""  # "" = DEFAULT_TRAEFIK_IMAGE or DEFAULT_NGINX_IMAGE
    # Operator tools (Traefik only: its routers give each its own host name).
    dashboard: bool = False  # Traefik's dashboard, behind basic auth
    dashboard_host: str = ""  # "" = traefik.<host>
    portainer: bool = False  # Portainer (server on a manager, an agent on every node)
    portainer_host: str = ""  # "" = portainer.<host>

    def __post_init__(self) -> None:
        if not HOST_NAME.fullmatch(self.host):
            raise PlonedevError(
                f"--host {self.host!r} is not a host name",
                "give the public domain name, e.g. --host www.example.org",
            )
        validate_registry_and_tag(self.registry, self.tag)
        for name in ("backend_replicas", "frontend_replicas", "varnish_replicas"):
            if not 1 <= getattr(self, name) <= 64:
                flag = "--" + name.replace("_", "-")
                raise PlonedevError(f"{flag} must be between 1 and 64", "use e.g. 2")
        if self.database_node and not HOST_NAME.fullmatch(self.database_node):
            raise PlonedevError(
                f"--database-node {self.database_node!r} is not a node's hostname",
                "give a name from `docker node ls`, e.g. --database-node node1",
            )
        for name in ("http_port", "https_port"):
            if not 1 <= getattr(self, name) <= 65535:
                flag = "--" + name.replace("_", "-")
                raise PlonedevError(f"{flag} must be between 1 and 65535", "use e.g. 80")
        if self.ingress is Ingress.TRAEFIK and self.http_port == self.https_port:
            raise PlonedevError(
                "--http-port and --https-port are the same", "give them different ports"
            )
        if self.acme_email and not _is_email(self.acme_email):
            raise PlonedevError(
                f"--acme-email {self.acme_email!r} is not an e-mail address",
                "give the address Let's Encrypt writes to about expiring certificates",
            )
        self._check_tools()
        if self.ingress_image and not IMAGE_REFERENCE.fullmatch(self.ingress_image):
            raise PlonedevError(
                f"--ingress-image {self.ingress_image!r} is not an image reference",
                "give a name such as nginx:1.27",
            )

    def _check_tools(self) -> None:
        hosts = [self.host]
        for tool, flag, wanted in (
            ("traefik", "--dashboard", self.dashboard),
            ("portainer", "--portainer", self.portainer),
        ):
            if not wanted:
                continue
            if self.ingress is not Ingress.TRAEFIK:
                raise PlonedevError(
                    f"{flag} needs the Traefik ingress (its routers give the tool a host name)",
                    f"drop --ingress {self.ingress.value}, or {flag}",
                )
            host = self.tool_host(tool)
            if not HOST_NAME.fullmatch(host):
                raise PlonedevError(
                    f"{flag}-host {host!r} is not a host name",
                    f"e.g. {flag}-host {tool}.example.org",
                )
            hosts.append(host)
        if len(set(hosts)) != len(hosts):
            raise PlonedevError(
                "the site, the dashboard and Portainer need host names of their own",
                "give --dashboard-host and --portainer-host different names",
            )

    def tool_host(self, tool: str) -> str:
        """The host name of an operator tool: given, or <tool>.<host>."""
        given = {"traefik": self.dashboard_host, "portainer": self.portainer_host}[tool]
        return given or f"{tool}.{self.host}"

    @property
    def ingress_image_name(self) -> str:
        if self.ingress_image:
            return self.ingress_image
        return DEFAULT_TRAEFIK_IMAGE if self.ingress is Ingress.TRAEFIK else DEFAULT_NGINX_IMAGE

    @property
    def tls(self) -> bool:
        """Whether the ingress itself terminates TLS (Traefik, with Let's Encrypt)."""
        return self.ingress is Ingress.TRAEFIK

    @property
    def public_scheme(self) -> str:
        return "https" if self.tls else "http"


def _is_email(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    return (
        bool(at)
        and bool(_EMAIL_LOCAL.fullmatch(local))
        and "." in domain
        and bool(HOST_NAME.fullmatch(domain))
    )
