"""The runtime-neutral service model: what runs, how it is checked, what it needs.

Built once from the config (plonedev.model_builder), then rendered by a runtime: local
processes (plonedev.runtime.native) or Compose services. Frozen, so no step can change
what another step sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Literal

# The one-shot container that creates the site before the backend starts (Compose, the
# stack); a runtime reports what it did as events of this service name.
SITE_JOB = "site"


@dataclass(frozen=True)
class HttpCheck:
    """Healthy when a GET on `url` answers with a status below 500."""

    url: str
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class TcpCheck:
    """Healthy when something accepts connections on host:port."""

    host: str
    port: int


@dataclass(frozen=True)
class CommandCheck:
    """Healthy when the command exits 0."""

    argv: tuple[str, ...]


HealthCheck = HttpCheck | TcpCheck | CommandCheck


@dataclass(frozen=True)
class PortBinding:
    name: str  # what the port is for, as the user sees it ("http", "zeo")
    host: str
    port: int


@dataclass(frozen=True)
class InitStep:
    """A one-time preparation: runs before the service starts when `creates` is missing."""

    description: str
    argv: tuple[str, ...]
    creates: Path
    stdin: str | None = None
    user: str | None = None  # run as this user (e.g. PostgreSQL, which refuses root)


class Role(StrEnum):
    """What a service is to Plone: decides how a container rendering treats it."""

    BACKEND = "backend"
    ZEO = "zeo"
    POSTGRES = "postgres"
    VARNISH = "varnish"
    FRONTEND = "frontend"


@dataclass(frozen=True)
class Mount:
    """Storage in a container: a named volume (data that outlives containers) or a bind
    mount of a project path (`source` relative to the project root; development only)."""

    source: str
    target: str
    kind: Literal["volume", "bind"] = "volume"
    read_only: bool = False


@dataclass(frozen=True)
class Secret:
    """A host file a container reads at /run/secrets/<name>, never baked into an image."""

    name: str
    source: Path


@dataclass(frozen=True)
class ContainerJob:
    """A one-shot container that must exit 0 before its service starts (site creation)."""

    name: str
    description: str
    command: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    mounts: tuple[Mount, ...] = ()
    secrets: tuple[Secret, ...] = ()


@dataclass(frozen=True)
class Container:
    """How a service runs as a container, whatever orchestrates it (Compose, Swarm)."""

    image: str  # a reference: pulled, or the tag of what `build` builds
    build: str = ""  # the name of the image build that makes `image` ("backend"); "" = pull
    command: tuple[str, ...] = ()  # () = the image's own command
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # PortBinding.name -> the port the service listens on inside the container
    ports: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    health: CommandCheck | None = None  # run inside the container
    mounts: tuple[Mount, ...] = ()
    secrets: tuple[Secret, ...] = ()
    # An init as PID 1 forwards the stop signal (a bare PID 1 ignores unhandled ones).
    init_process: bool = False
    jobs: tuple[ContainerJob, ...] = ()
    # "uid:gid" the service runs as (files it writes in bind mounts are the user's);
    # "" = the image's own user.
    user: str = ""


@dataclass(frozen=True)
class Service:
    name: str
    description: str
    command: tuple[str, ...]
    cwd: Path
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ports: tuple[PortBinding, ...] = ()
    health: HealthCheck | None = None
    depends_on: tuple[str, ...] = ()
    init: tuple[InitStep, ...] = ()
    user: str | None = None
    # runwsgi ignores SIGTERM as a session leader; SIGINT stops Zope cleanly.
    stop_signal: str = "SIGTERM"
    stop_timeout: float = 10.0
    # Files it holds a flock on while it runs (FileStorage's .lock): a restart starts the
    # next process once these and its ports are free, and kills what is left of the exit.
    locks: tuple[Path, ...] = ()
    # Files it reads only when it starts (zope.conf, zeo.conf, the VCL): when their
    # content differs from what the running process read, `up` restarts it.
    config_files: tuple[Path, ...] = ()
    start_timeout: float = 120.0
    url: str = ""  # shown to the user by `up` and `status`
    role: Role | None = None
    container: Container | None = None  # None: this service cannot run as a container


@dataclass(frozen=True)
class Project:
    name: str
    root: Path
    services: tuple[Service, ...]
    site_id: str = ""  # the Plone site a frontend serves at "/" ("" when not known)
    cache_hold: int = 0  # tool.plonedev.cache-hold: Varnish's minimum for anonymous pages

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        raise KeyError(name)

    def by_role(self, role: Role) -> Service | None:
        """The service in that role (the first: the model has one of each)."""
        return next((s for s in self.services if s.role is role), None)

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(service.name for service in self.services)

    def only(self, names: tuple[str, ...]) -> Project:
        """The named services and everything they need (a backend its database), as
        `docker compose up SERVICE` starts them; all of them when `names` is empty."""
        if not names:
            return self
        needed: set[str] = set()
        pending = list(names)
        while pending:
            name = pending.pop()
            if name not in needed:
                needed.add(name)
                pending.extend(self.service(name).depends_on)
        kept = tuple(s for s in self.services if s.name in needed)
        return replace(self, services=kept)

    def start_order(self) -> tuple[Service, ...]:
        """Services ordered so that each comes after everything it depends on."""
        ordered: list[Service] = []
        seen: set[str] = set()

        def visit(service: Service, path: tuple[str, ...]) -> None:
            if service.name in seen:
                return
            if service.name in path:
                cycle = " -> ".join((*path, service.name))
                raise ValueError(f"dependency cycle: {cycle}")
            for dependency in service.depends_on:
                visit(self.service(dependency), (*path, service.name))
            seen.add(service.name)
            ordered.append(service)

        for service in self.services:
            visit(service, ())
        return tuple(ordered)
