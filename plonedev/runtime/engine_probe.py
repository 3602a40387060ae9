"""Is a Docker engine answering? Asked cheaply, since `up` asks on every run."""

from __future__ import annotations

import http.client
import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class EngineProbe:
    answers: bool
    where: str
    reason: str


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def probe_engine(timeout: float = 1.0) -> EngineProbe:
    """Ping the engine's API (GET /_ping) at DOCKER_HOST or the default socket."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        # A remote or TCP engine: only docker-py knows all the ways to reach it.
        return _probe_with_docker_py(host)
    path = host.removeprefix("unix://")
    if not Path(path).exists():
        return EngineProbe(False, host, f"no Docker socket at {path}")
    connection = _UnixConnection(path, timeout)
    try:
        connection.request("GET", "/_ping")
        response = connection.getresponse()
        ok = response.status == 200
    except OSError as exc:
        return EngineProbe(False, host, f"the Docker socket at {path} does not answer ({exc})")
    finally:
        connection.close()
    if not ok:
        return EngineProbe(False, host, f"the Docker engine answered HTTP {response.status}")
    return EngineProbe(True, host, "the Docker engine answers")


def _probe_with_docker_py(host: str) -> EngineProbe:
    import docker  # slow to import: only for the rare non-socket engine

    try:
        docker.DockerClient(base_url=host, timeout=2).ping()
    except Exception as exc:  # docker-py raises many unrelated types for "no engine"
        return EngineProbe(False, host, f"the Docker engine at {host} does not answer ({exc})")
    return EngineProbe(True, host, "the Docker engine answers")
