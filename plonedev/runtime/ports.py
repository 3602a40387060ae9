"""Find out, before starting anything, whether a port is already taken."""

from __future__ import annotations

import socket

from plonedev.errors import PlonedevError
from plonedev.model import PortBinding


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Same option servers use, so a port in TIME_WAIT after our own stop counts as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def ensure_free(service: str, binding: PortBinding) -> None:
    if not port_is_free(binding.host, binding.port):
        raise PlonedevError(
            f"port {binding.port} on {binding.host} ({service}) is already in use "
            "by another program",
            f"stop that program, or set tool.plonedev.ports.{binding.name} = <free port> "
            "in pyproject.toml",
        )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
