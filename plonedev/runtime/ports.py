"""Find out, before starting anything, whether a port is already taken."""

from __future__ import annotations

import secrets
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


# Below Linux's ephemeral range (32768-60999): a port the kernel hands out for
# binding to 0 is also what it hands out for outgoing connections, so a port chosen
# that way can be taken by a client socket before the service binds it.
_PICK_RANGE = (20000, 32000)


def free_port(host: str = "127.0.0.1") -> int:
    """A free port outside the ephemeral range, for tests and benchmarks."""
    for _ in range(200):
        port = secrets.randbelow(_PICK_RANGE[1] - _PICK_RANGE[0]) + _PICK_RANGE[0]
        if port_is_free(host, port):
            return port
    raise PlonedevError(f"no free port found on {host}", "stop some services and try again")
