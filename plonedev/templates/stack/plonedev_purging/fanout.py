"""The purge URLs for one caching proxy URL: one per address its host name resolves to.

plone.cachepurging keeps a static list of proxies and one keep-alive connection per
host, so a name with several addresses (Swarm's tasks.varnish, a Kubernetes headless
Service) would reach one Varnish task only. Resolved at each purge, the name follows
tasks as they are scaled, moved and replaced. Standard library only (unit-tested
without Plone).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address of `host` (IPv4 and IPv6), in the resolver's order, once each."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def task_urls(url: str, resolver: Resolver = resolve) -> list[str]:
    """`url` with its host replaced by each of its addresses; `url` itself when the host
    is an address already, cannot be resolved (the purger then logs the failure), or
    the scheme is https (a certificate names the host, not its addresses)."""
    parts = urlsplit(url)
    host = parts.hostname
    if parts.scheme != "http" or not host or _is_address(host):
        return [url]
    try:
        addresses = resolver(host, parts.port or 80)
    except OSError:
        return [url]
    if not addresses:
        return [url]
    return [urlunsplit(parts._replace(netloc=_netloc(a, parts.port))) for a in addresses]


def netloc_of(url: str) -> str:
    return urlsplit(url).netloc


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _netloc(address: str, port: int | None) -> str:
    host = f"[{address}]" if ":" in address else address
    return f"{host}:{port}" if port is not None else host
