"""The Docker engine through docker-py: versions, a project's containers, its network.

Compose labels every container it makes (project, service, working directory), so
what a project runs is found by label, without reading any compose file.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from plonedev.errors import PlonedevError

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
WORKDIR_LABEL = "com.docker.compose.project.working_dir"
ONEOFF_LABEL = "com.docker.compose.oneoff"  # `compose run` containers: not the service


@dataclass(frozen=True)
class ContainerInfo:
    id: str
    service: str
    state: str  # created, running, exited, ...
    health: str  # healthy, starting, unhealthy, or "" without a health check
    exit_code: int
    pid: int
    started_at: str
    working_dir: str
    image: str = ""  # the id of the image it runs ("sha256:...")

    @property
    def running(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True)
class NetworkInfo:
    name: str
    subnets: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]
    gateways: tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, ...]


class Engine:
    """A lazily connected docker-py client with the queries plonedev needs."""

    def __init__(self, timeout: int = 30) -> None:
        self._timeout = timeout

    @cached_property
    def client(self) -> Any:
        import docker  # slow to import: only when a Docker command runs

        try:
            return docker.from_env(timeout=self._timeout)
        except Exception as exc:  # docker-py raises several types for "no engine"
            raise PlonedevError(
                f"the Docker engine does not answer: {exc}",
                "start Docker, or run with --runtime native",
            ) from None

    def versions(self) -> dict[str, str]:
        info = self.client.version()
        return {"engine": str(info.get("Version", "?")), "api": str(info.get("ApiVersion", "?"))}

    def containers(self, project: str) -> dict[str, ContainerInfo]:
        """The project's service containers (also stopped ones), by service name."""
        found: dict[str, ContainerInfo] = {}
        listed = self.client.api.containers(
            all=True, filters={"label": f"{PROJECT_LABEL}={project}"}
        )
        for entry in listed:
            labels = entry.get("Labels") or {}
            if labels.get(ONEOFF_LABEL) == "True":
                continue
            info = self.inspect(entry["Id"])
            if info is not None:
                # Compose keeps one container per service: the newest wins a rare overlap.
                found[info.service] = info
        return found

    def inspect(self, container_id: str) -> ContainerInfo | None:
        import docker

        try:
            attrs = self.client.api.inspect_container(container_id)
        except docker.errors.NotFound:
            return None
        state = attrs.get("State") or {}
        labels = (attrs.get("Config") or {}).get("Labels") or {}
        health = state.get("Health") or {}
        return ContainerInfo(
            id=attrs["Id"],
            service=labels.get(SERVICE_LABEL, ""),
            state=str(state.get("Status", "")),
            health=str(health.get("Status", "")),
            exit_code=int(state.get("ExitCode") or 0),
            pid=int(state.get("Pid") or 0),
            started_at=str(state.get("StartedAt", "")),
            working_dir=labels.get(WORKDIR_LABEL, ""),
            image=str(attrs.get("Image", "")),
        )

    def network(self, name: str) -> NetworkInfo | None:
        import docker

        try:
            attrs = self.client.api.inspect_network(name)
        except docker.errors.NotFound:
            return None
        configs = (attrs.get("IPAM") or {}).get("Config") or []
        subnets = tuple(ipaddress.ip_network(c["Subnet"]) for c in configs if c.get("Subnet"))
        gateways = tuple(ipaddress.ip_address(c["Gateway"]) for c in configs if c.get("Gateway"))
        return NetworkInfo(name, subnets, gateways)

    def image_id(self, reference: str) -> str | None:
        import docker

        try:
            return str(self.client.api.inspect_image(reference)["Id"])
        except docker.errors.ImageNotFound:
            return None
        except docker.errors.NotFound:
            return None

    def logs(self, container_id: str, tail: int) -> list[str]:
        raw = self.client.api.logs(container_id, stdout=True, stderr=True, tail=tail)
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else str(raw)
        return text.splitlines()

    def volumes(self, project: str) -> list[str]:
        listed = self.client.api.volumes(filters={"label": f"{PROJECT_LABEL}={project}"})
        return sorted(v["Name"] for v in (listed.get("Volumes") or []))

    def remove_volume(self, name: str) -> None:
        import docker

        try:
            self.client.api.remove_volume(name)
        except docker.errors.NotFound:
            pass  # gone already
        except docker.errors.APIError as exc:  # in use by a container outside Compose's
            raise PlonedevError(
                f"the volume {name} was not removed: {exc.explanation or exc}",
                f"remove what uses it (`docker ps -a --filter volume={name}`), then again",
            ) from None

    def close(self) -> None:
        if "client" in self.__dict__:
            self.client.close()
