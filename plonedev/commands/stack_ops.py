"""`plonedev stack status|logs|scale|rollback`: operate the project's deployed stack.

The stack is named after the project (as `plonedev deploy` names it), on the engine of
a Docker context. scale and rollback wait, like deploy, until the services converge.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from plonedev.commands.rollout import follow
from plonedev.errors import PlonedevError, ServiceError
from plonedev.project_setup.find_project import open_project
from plonedev.report import Reporter
from plonedev.runtime.swarm import swarm_client
from plonedev.runtime.swarm_services import (
    ServiceState,
    roll_back,
    scale,
    stack_services,
    stream_logs,
)

if TYPE_CHECKING:
    from python_on_whales import DockerClient

_SCALE = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]*)=([0-9]{1,3})")


@dataclass(frozen=True)
class StackStatus:
    stack: str
    services: tuple[ServiceState, ...]


def status(start: Path, docker_context: str | None = None) -> StackStatus:
    stack, docker = _stack(start, docker_context)
    return StackStatus(stack, _deployed(docker, stack))


def logs(
    start: Path, service: str, docker_context: str | None = None, *, tail: int, follow: bool
) -> None:
    stack, docker = _stack(start, docker_context)
    known = _deployed(docker, stack)
    names = [_named(known, service).full_name] if service else [s.full_name for s in known]
    if follow and len(names) > 1:
        raise PlonedevError("--follow needs a service", "e.g. plonedev stack logs backend -f")
    for name in names:
        stream_logs(docker, name, tail=tail, follow=follow)


def scale_services(
    start: Path,
    assignments: list[str],
    reporter: Reporter,
    docker_context: str | None = None,
    *,
    timeout: float = 600,
) -> StackStatus:
    wanted = [_parse_scale(text) for text in assignments]
    if not wanted:
        raise PlonedevError("nothing to scale", "e.g. plonedev stack scale backend=3")
    stack, docker = _stack(start, docker_context)
    known = _deployed(docker, stack)
    since = datetime.now(UTC)
    for name, replicas in wanted:
        scale(docker, _named(known, name).full_name, replicas)
    return _converge(docker, stack, reporter, timeout, since)


def rollback(
    start: Path,
    service: str,
    reporter: Reporter,
    docker_context: str | None = None,
    *,
    timeout: float = 600,
) -> StackStatus:
    """The previous spec of `service` (or of every service that has one)."""
    stack, docker = _stack(start, docker_context)
    known = _deployed(docker, stack)
    targets = [_named(known, service)] if service else [s for s in known if s.can_roll_back]
    if not targets or not all(s.can_roll_back for s in targets):
        raise PlonedevError(
            f"{service or 'no service'} has no previous version to roll back to",
            "a service has one after its first update (a deploy that changed it)",
        )
    since = datetime.now(UTC)
    for state in targets:
        roll_back(docker, state.full_name)
    return _converge(docker, stack, reporter, timeout, since)


def _converge(
    docker: DockerClient, stack: str, reporter: Reporter, timeout: float, since: datetime
) -> StackStatus:
    states, failure = follow(docker, stack, reporter, timeout=timeout, since=since)
    if failure is not None:
        raise ServiceError(
            f"{failure.service.name} did not converge: {failure.reason}",
            f"see plonedev stack logs {failure.service.name}",
        )
    return StackStatus(stack, states)


def _stack(start: Path, docker_context: str | None) -> tuple[str, DockerClient]:
    return open_project(start).config.name, swarm_client(docker_context)


def _deployed(docker: DockerClient, stack: str) -> tuple[ServiceState, ...]:
    services = stack_services(docker, stack)
    if not services:
        raise PlonedevError(
            f"the stack {stack} is not deployed on this engine",
            "deploy it with plonedev deploy (or give its --context)",
        )
    return services


def _named(services: tuple[ServiceState, ...], name: str) -> ServiceState:
    for service in services:
        if name in (service.name, service.full_name):
            return service
    known = ", ".join(s.name for s in services)
    raise PlonedevError(f"the stack has no service {name!r}", f"its services: {known}")


def _parse_scale(text: str) -> tuple[str, int]:
    match = _SCALE.fullmatch(text)
    if match is None:
        raise PlonedevError(f"{text!r} is not SERVICE=N", "e.g. plonedev stack scale backend=3")
    return match.group(1), int(match.group(2))
