"""The `deploy` and `healthcheck` sections every stack service gets.

Rolling updates start the new task first (it must be healthy before the old one stops),
one task at a time, rolling back on failure; a database is stopped first instead (two
servers must never open the same data). Restarts are unconditional: a task that exits
is replaced. Limits keep one service from starving the others on a shared node.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from plonedev.model import CommandCheck, Service

Order = Literal["start-first", "stop-first"]

HEALTH_INTERVAL_SECONDS = 5  # also how late Swarm sees a new task healthy, at most
HEALTH_TIMEOUT_SECONDS = 5
HEALTH_RETRIES = 3  # failures in a row before a task is unhealthy
MANAGER = "node.role == manager"


@dataclass(frozen=True)
class Resources:
    cpus: str
    memory: str  # limit
    reserve: str  # reservation: the scheduler places tasks where this much is free


# Per role: sizes for a small production site; edit the file to change them.
RESOURCES = {
    "ingress": Resources("0.5", "256M", "64M"),
    "varnish": Resources("1.0", "512M", "128M"),  # VARNISH_SIZE (256M) + overhead
    "frontend": Resources("1.0", "1G", "256M"),
    "backend": Resources("2.0", "2G", "512M"),
    "postgres": Resources("1.0", "1G", "256M"),
    "zeo": Resources("1.0", "1G", "256M"),
    "portainer": Resources("0.5", "512M", "64M"),
    "portainer-agent": Resources("0.25", "128M", "32M"),
}


def deploy(
    role: str,
    *,
    replicas: int = 1,
    order: Order = "start-first",
    dnsrr: bool = False,
    placement: tuple[str, ...] = (),
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    size = RESOURCES[role]
    update = {
        "parallelism": 1,
        "order": order,
        "delay": "5s",  # lets the ingress see the new task before the next one changes
        "failure_action": "rollback",
        "monitor": "15s",
    }
    section: dict[str, Any] = {
        "mode": "replicated",
        "replicas": replicas,
        "update_config": update,
        "rollback_config": {"parallelism": 1, "order": order},
        "restart_policy": {"condition": "any", "delay": "5s"},
        "resources": {
            "limits": {"cpus": size.cpus, "memory": size.memory},
            "reservations": {"memory": size.reserve},
        },
    }
    if dnsrr:
        # No IPVS: a service name resolves to its tasks' addresses, not to a VIP.
        section["endpoint_mode"] = "dnsrr"
    if placement:
        section["placement"] = {"constraints": list(placement)}
    if labels:
        section["labels"] = dict(labels)
    return section


def healthcheck(argv: tuple[str, ...] | CommandCheck, start_period: float) -> dict[str, Any]:
    command = argv.argv if isinstance(argv, CommandCheck) else argv
    return {
        "test": ["CMD", *command],
        "interval": f"{HEALTH_INTERVAL_SECONDS}s",
        "timeout": f"{HEALTH_TIMEOUT_SECONDS}s",
        "retries": HEALTH_RETRIES,
        # Failures while starting do not count; the first success counts at once.
        "start_period": f"{start_period:g}s",
    }


def stop_settings(service: Service) -> dict[str, Any]:
    """How a task stops: the model's signal and grace period, through an init process
    when the container needs one to forward the signal to the server."""
    settings: dict[str, Any] = {}
    if service.container is not None and service.container.init_process:
        settings["init"] = True
    settings["stop_signal"] = service.stop_signal
    settings["stop_grace_period"] = f"{service.stop_timeout:g}s"
    return settings
