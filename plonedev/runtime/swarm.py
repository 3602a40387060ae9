"""What `export-stack` asks of Docker Swarm: validate a stack file, list and create secrets.

Through the docker CLI (python-on-whales), against the engine DOCKER_HOST or the
current context names: the same engine `docker stack deploy` would use.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from plonedev.errors import PlonedevError

if TYPE_CHECKING:
    from python_on_whales import DockerClient


def swarm_client(context: str | None = None) -> DockerClient:
    """The docker CLI for the Docker context `context` (None: DOCKER_HOST or the current)."""
    from python_on_whales import DockerClient, docker

    return DockerClient(context=context) if context else docker


def check_stack_file(path: Path) -> str:
    """`docker stack config -c path`: the stack as Swarm reads it; raises when invalid."""
    from python_on_whales import docker
    from python_on_whales.exceptions import DockerException
    from python_on_whales.utils import run

    try:
        output = run([*docker.client_config.docker_cmd, "stack", "config", "-c", str(path)])
    except DockerException as exc:
        stderr = exc.stderr if isinstance(exc.stderr, str) else ""
        reason = stderr.strip().splitlines()[-1] if stderr.strip() else str(exc)
        raise PlonedevError(
            f"{path.name} is not a valid stack file: {reason}",
            "please report it: plonedev should never write an invalid stack",
        ) from None
    except FileNotFoundError:
        raise PlonedevError(
            "the docker command was not found", "install the Docker CLI to check the stack"
        ) from None
    return str(output)


def existing_secrets(names: tuple[str, ...], docker: DockerClient | None = None) -> set[str]:
    """Which of `names` exist as Swarm secrets on the engine (default: the current)."""
    from python_on_whales.exceptions import DockerException

    docker = docker or swarm_client()
    try:
        present = {str(secret.spec.name) for secret in docker.secret.list()}
    except DockerException as exc:
        raise swarm_error("list the Swarm secrets", exc) from None
    return present.intersection(names)


def create_secret(
    name: str, value: str, labels: dict[str, str], docker: DockerClient | None = None
) -> None:
    """A Swarm secret from `value`, passed on stdin: never on a command line or on disk."""
    from python_on_whales.exceptions import DockerException
    from python_on_whales.utils import run

    docker = docker or swarm_client()
    command = [*docker.client_config.docker_cmd, "secret", "create"]
    for key, label in labels.items():
        command += ["--label", f"{key}={label}"]
    try:
        run([*command, name, "-"], input=value.encode())
    except DockerException as exc:
        raise swarm_error(f"create the secret {name}", exc) from None


def swarm_error(action: str, exc: Exception) -> PlonedevError:
    stderr = getattr(exc, "stderr", "")
    text = stderr.strip() if isinstance(stderr, str) else ""
    if "not a swarm manager" in text or "This node is not a swarm manager" in text:
        return PlonedevError(
            f"could not {action}: this Docker engine is not a Swarm manager",
            "run `docker swarm init` (or point DOCKER_HOST at a manager) first",
        )
    return PlonedevError(f"could not {action}: {text or exc}", "check that Docker is running")
