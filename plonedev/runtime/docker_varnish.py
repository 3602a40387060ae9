"""Varnish in Compose: the Plone VCL in compose/varnish/, PURGE and BAN from the project's
network only.

The network's address range is known once the engine has made the network, so the VCL
is rendered then. Its gateway is left out of the purge ACL: requests from the host
through a published port reach Varnish from the gateway address (docker-proxy or NAT),
and the host is not the internal network.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from plonedev.model import Project, Role, Service
from plonedev.render.owned import OwnedFile, write_owned
from plonedev.runtime.docker_engine import NetworkInfo
from plonedev.varnish import Upstream, VclSettings, development_settings, render_vcl

VCL_DIR = "varnish"  # in compose/, bind-mounted at /etc/varnish
VCL_FILE = "default.vcl"

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def purge_acl(network: NetworkInfo) -> tuple[str, ...]:
    """The network's subnets as CIDRs, without the gateway addresses."""
    entries: list[str] = []
    for subnet in network.subnets:
        parts: list[IPNetwork] = [subnet]
        for gateway in network.gateways:
            if gateway.version != subnet.version:
                continue
            single = ipaddress.ip_network(gateway)
            parts = [
                piece
                for part in parts
                for piece in (
                    _exclude(part, single) if single.subnet_of(part) else (part,)  # type: ignore[arg-type]
                )
            ]
        entries += [str(part) for part in sorted(parts, key=lambda n: int(n.network_address))]
    return tuple(entries)


def _exclude(network: IPNetwork, address: IPNetwork) -> tuple[IPNetwork, ...]:
    return tuple(network.address_exclude(address))  # type: ignore[arg-type]


def vcl_settings(project: Project, acl: tuple[str, ...]) -> VclSettings:
    backend = _upstream(project, Role.BACKEND)
    if backend is None:
        raise ValueError("a Varnish needs a backend service")
    return development_settings(
        backend,
        _upstream(project, Role.FRONTEND),
        site_id=project.site_id,
        cache_hold=project.cache_hold,
        purge_acl=acl,
    )


def _upstream(project: Project, role: Role) -> Upstream | None:
    service = _by_role(project, role)
    if service is None or service.container is None or not service.container.ports:
        return None
    port = next(iter(service.container.ports.values()))  # the service's main port
    return Upstream(service.name, port)


def _by_role(project: Project, role: Role) -> Service | None:
    return next((s for s in project.services if s.role is role), None)


def vcl_path(compose_dir: Path) -> Path:
    return compose_dir / VCL_DIR / VCL_FILE


def write_vcl(compose_dir: Path, project: Project, network: NetworkInfo) -> OwnedFile:
    """Render the VCL for this network; written only when it changed (and still ours)."""
    return write_owned(vcl_path(compose_dir), render_vcl(vcl_settings(project, purge_acl(network))))
