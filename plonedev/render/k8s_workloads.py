"""Kubernetes building blocks: Deployments, their probes, limits and security, PDBs,
Services. Sizes, health timings and drain times are the Swarm stack's (stack_deploy,
stack_context), so both renderings of the model keep one set of numbers.
"""

from __future__ import annotations

import math
from typing import Any

from plonedev.model import CommandCheck
from plonedev.render.stack_deploy import (
    HEALTH_INTERVAL_SECONDS,
    HEALTH_RETRIES,
    HEALTH_TIMEOUT_SECONDS,
    RESOURCES,
)

NAME_LABEL = "app.kubernetes.io/name"
PART_OF_LABEL = "app.kubernetes.io/part-of"
CPU_REQUEST_SHARE = 0.25  # of the limit: what the scheduler reserves per pod


def meta(name: str, project: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": {NAME_LABEL: name, PART_OF_LABEL: project}, **extra}


def selector(name: str) -> dict[str, Any]:
    return {"matchLabels": {NAME_LABEL: name}}


def probes(check: tuple[str, ...] | CommandCheck, start_seconds: float) -> dict[str, Any]:
    """The Swarm health check's command as exec probes: a startup probe for the start
    period, then readiness (out of the Service while failing) and liveness (restarted)."""
    argv = list(check.argv if isinstance(check, CommandCheck) else check)

    def probe(failures: int) -> dict[str, Any]:
        return {
            "exec": {"command": argv},
            "periodSeconds": HEALTH_INTERVAL_SECONDS,
            "timeoutSeconds": HEALTH_TIMEOUT_SECONDS,
            "failureThreshold": failures,
        }

    return {
        "startupProbe": probe(max(1, math.ceil(start_seconds / HEALTH_INTERVAL_SECONDS))),
        "readinessProbe": probe(HEALTH_RETRIES),
        "livenessProbe": probe(HEALTH_RETRIES),
    }


def resources(role: str) -> dict[str, Any]:
    size = RESOURCES[role]
    cpus = float(size.cpus)
    return {
        "requests": {
            "cpu": f"{round(cpus * CPU_REQUEST_SHARE * 1000)}m",
            "memory": _binary(size.reserve),
        },
        "limits": {"cpu": f"{round(cpus * 1000)}m", "memory": _binary(size.memory)},
    }


def _binary(swarm_size: str) -> str:
    """Swarm's 512M and 2G are binary units: Kubernetes spells them Mi and Gi."""
    return swarm_size[:-1] + {"M": "Mi", "G": "Gi"}[swarm_size[-1]]


def pod_security(uid: int) -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security(*capabilities: str) -> dict[str, Any]:
    drop: dict[str, Any] = {"drop": ["ALL"]}
    if capabilities:
        drop["add"] = list(capabilities)
    return {"allowPrivilegeEscalation": False, "capabilities": drop}


def deployment(
    name: str, project: str, replicas: int, pod: dict[str, Any], annotations: dict[str, str]
) -> dict[str, Any]:
    """Rolling updates that never go below `replicas`: a new pod is started and ready
    before an old one stops (maxUnavailable 0, one at a time)."""
    template_meta = meta(name, project)
    if annotations:
        template_meta["annotations"] = annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(name, project),
        "spec": {
            "replicas": replicas,
            "selector": selector(name),
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {"metadata": template_meta, "spec": pod},
        },
    }


def disruption_budget(name: str, project: str) -> dict[str, Any]:
    """A node drain takes one pod of the Deployment at a time."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(name, project),
        "spec": {"maxUnavailable": 1, "selector": selector(name)},
    }


def service(name: str, project: str, port: int, target: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name, project),
        "spec": {
            "selector": {NAME_LABEL: name},
            "ports": [{"name": "main", "port": port, "targetPort": target, "protocol": "TCP"}],
        },
    }
