"""A deployed stack's services and tasks, as `plonedev deploy` and `plonedev stack` see them.

Through the docker CLI (python-on-whales) of one Docker context: deploy a stack file,
read each service's spec, update status and tasks, roll back, scale, read task logs.
Swarm reports a task "running" only once its health check passes, so a running task
of the service's current image is a healthy one.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from plonedev.errors import PlonedevError
from plonedev.runtime.swarm import swarm_error

if TYPE_CHECKING:
    from python_on_whales import DockerClient

STACK_LABEL = "com.docker.stack.namespace"
FAILED_STATES = frozenset({"failed", "rejected", "orphaned"})
# UpdateStatus.State of a service whose update did not complete.
UPDATE_FAILED = frozenset({"paused", "rollback_started", "rollback_paused", "rollback_completed"})
UPDATE_BUSY = frozenset({"updating", "rollback_started"})


@dataclass(frozen=True)
class TaskState:
    id: str
    image: str
    state: str  # new, starting, running, failed, shutdown, ...
    desired: str  # running, shutdown, ...
    error: str  # why it failed ("" when it did not)
    message: str  # Swarm's last word on it: "started", "accepted", ...
    created: datetime | None


@dataclass(frozen=True)
class ServiceState:
    name: str  # without the stack's prefix: backend
    full_name: str  # stk_backend
    image: str  # the image of the current spec
    replicas: int  # desired (replicated mode)
    update_state: str  # "" (never updated), updating, completed, paused, rollback_*
    update_message: str
    can_roll_back: bool  # a previous spec exists
    tasks: tuple[TaskState, ...]

    @property
    def running(self) -> int:
        """Tasks running (healthy) the current image."""
        return sum(1 for t in self.tasks if t.state == "running" and t.image == self.image)

    @property
    def stale(self) -> int:
        """Tasks still running an image the spec no longer names."""
        return sum(1 for t in self.tasks if t.state == "running" and t.image != self.image)

    @property
    def converged(self) -> bool:
        return (
            self.update_state not in UPDATE_BUSY
            and self.running == self.replicas
            and self.stale == 0
        )


def deploy_stack(
    docker: DockerClient, stack: str, stack_file: Path, *, resolve_image: str = "always"
) -> None:
    """`docker stack deploy --with-registry-auth`: creates or updates the services."""
    from python_on_whales.exceptions import DockerException

    try:
        docker.stack.deploy(
            stack, [stack_file], with_registry_auth=True, resolve_image=resolve_image
        )
    except DockerException as exc:
        raise swarm_error(f"deploy the stack {stack}", exc) from None


def stack_services(docker: DockerClient, stack: str) -> tuple[ServiceState, ...]:
    """Every service of the stack, with its tasks (none when the stack is not deployed)."""
    from python_on_whales.exceptions import DockerException

    try:
        services = docker.service.list(filters={"label": f"{STACK_LABEL}={stack}"})
        states = []
        for service in services:
            states.append(_service_state(stack, service, docker.service.ps(service)))
    except DockerException as exc:
        raise swarm_error(f"read the services of the stack {stack}", exc) from None
    return tuple(sorted(states, key=lambda s: s.name))


def _service_state(stack: str, service: Any, tasks: list[Any]) -> ServiceState:
    spec = service.spec
    name = str(spec.name)
    mode = spec.mode or {}
    replicas = int(mode.get("Replicated", {}).get("Replicas", 0)) if "Replicated" in mode else 1
    status = service.update_status
    return ServiceState(
        name=name.removeprefix(f"{stack}_"),
        full_name=name,
        image=str(spec.task_template.container_spec.image),
        replicas=replicas,
        update_state=str(status.state) if status is not None and status.state else "",
        update_message=str(status.message or "") if status is not None else "",
        can_roll_back=service.previous_spec is not None,
        tasks=tuple(
            TaskState(
                id=str(task.id),
                image=str(task.spec.container_spec.image),
                state=str(task.status.state),
                desired=str(task.desired_state),
                error=str(task.status.err or ""),
                message=str(task.status.message or ""),
                created=task.created_at,
            )
            for task in tasks
        ),
    )


def spec_digests(docker: DockerClient, stack: str) -> dict[str, str]:
    """Each service's task template and mode, hashed: what a deploy changed. (Its version
    is no guide: `docker stack deploy` updates every service, changed or not.)"""
    ids = _cli(
        docker, f"list the services of {stack}",
        "service", "ls", "-q", "--filter", f"label={STACK_LABEL}={stack}",
    ).split()  # fmt: skip
    if not ids:
        return {}
    template = "{{.Spec.Name}} {{json .Spec.TaskTemplate}}{{json .Spec.Mode}}"
    out = _cli(
        docker, f"inspect the services of {stack}", "service", "inspect", "-f", template, *ids
    )
    digests = {}
    for line in out.splitlines():
        name, _, spec = line.partition(" ")
        digests[name.removeprefix(f"{stack}_")] = hashlib.sha256(spec.encode()).hexdigest()
    return digests


def _cli(docker: DockerClient, action: str, *args: str) -> str:
    from python_on_whales.exceptions import DockerException
    from python_on_whales.utils import run

    try:
        return str(run([*docker.client_config.docker_cmd, *args]) or "")
    except DockerException as exc:
        raise swarm_error(action, exc) from None


def roll_back(docker: DockerClient, full_name: str) -> None:
    """`docker service rollback`: the previous spec again, rolled like an update."""
    _cli(docker, f"roll back {full_name}", "service", "rollback", "--detach", full_name)


def scale(docker: DockerClient, full_name: str, replicas: int) -> None:
    _cli(docker, f"scale {full_name}", "service", "scale", "--detach", f"{full_name}={replicas}")


def task_logs(docker: DockerClient, task_id: str, tail: int) -> str:
    """The last `tail` lines a task wrote (stdout and stderr); "" when they cannot be read
    (they are a courtesy in an error message, never the reason it fails)."""
    command = [*docker.client_config.docker_cmd, "service", "logs", "--raw", "--tail", str(tail)]
    try:
        done = subprocess.run(
            [*command, task_id],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout if done.returncode == 0 else ""


def stream_logs(docker: DockerClient, full_name: str, *, tail: int, follow: bool) -> None:
    """`docker service logs` for one service, straight to this terminal."""
    command = [*docker.client_config.docker_cmd, "service", "logs", "--tail", str(tail)]
    done = subprocess.run([*command, *(["--follow"] if follow else []), full_name], check=False)
    if done.returncode not in (0, 130):
        raise PlonedevError(
            f"docker service logs {full_name} failed", "check the service name and the context"
        )
