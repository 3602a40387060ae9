"""Render the service model to compose/compose.yaml (development).

A dict is built from plonedev.model.Project and dumped: no template, no logic in YAML.
Every service with a Container becomes a Compose service, in the model's order; each
ContainerJob becomes a one-shot service its owner waits for. Ports are published on
127.0.0.1 only; data lives in named volumes; images built by plonedev (Container.build)
get the build's development bind mounts (the add-ons, the instance config).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from plonedev.model import CommandCheck, Container, ContainerJob, Mount, Project, Secret, Service
from plonedev.render.owned import MARKER

HEADER = f"""\
# {MARKER} from pyproject.toml [tool.plonedev]: rewritten on `plonedev up`.
# Put your changes in compose.override.yaml next to it: plonedev merges it and never
# writes it. (Or delete the first line to take this file over.)
"""
HOST_IP = "127.0.0.1"
HEALTH_INTERVAL = "2s"  # also how late a service is seen healthy, at most


@dataclass(frozen=True)
class ImageBuild:
    """How plonedev builds an image that Container.build names."""

    context: Path  # absolute
    dockerfile: Path  # absolute
    target: str
    args: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    secrets: tuple[Secret, ...] = ()
    # Added to every container of this image in development (sources, config).
    dev_mounts: tuple[Mount, ...] = ()


@dataclass(frozen=True)
class ComposeInputs:
    project: Project
    compose_dir: Path  # where compose.yaml lives: relative paths start here
    builds: Mapping[str, ImageBuild] = field(default_factory=lambda: MappingProxyType({}))


def render_compose(inputs: ComposeInputs) -> str:
    document = compose_document(inputs)
    return HEADER + yaml.safe_dump(document, sort_keys=False, default_flow_style=False, width=100)


def compose_document(inputs: ComposeInputs) -> dict[str, Any]:
    renderer = _Renderer(inputs)
    services: dict[str, Any] = {}
    for service in inputs.project.start_order():
        container = service.container
        if container is None:
            raise ValueError(f"service {service.name!r} has no container to run")
        for job in container.jobs:
            services[job.name] = renderer.job(service, container, job)
        services[service.name] = renderer.service(service, container)
    document: dict[str, Any] = {"name": inputs.project.name, "services": services}
    if renderer.volumes:
        document["volumes"] = {name: {} for name in sorted(renderer.volumes)}
    if renderer.secrets:
        document["secrets"] = {
            name: {"file": renderer.relative(path)}
            for name, path in sorted(renderer.secrets.items())
        }
    return document


class _Renderer:
    def __init__(self, inputs: ComposeInputs) -> None:
        self.inputs = inputs
        self.volumes: set[str] = set()
        self.secrets: dict[str, Path] = {}
        self.builders = builders(inputs.project)

    def relative(self, path: Path) -> str:
        return os.path.relpath(path, self.inputs.compose_dir)

    def service(self, service: Service, container: Container) -> dict[str, Any]:
        doc = self._image(container, builds_it=self.builders.get(container.build) == service.name)
        if container.command:
            doc["command"] = list(container.command)
        if container.env:
            doc["environment"] = dict(container.env)
        ports = [self._port(binding.name, binding.port, container) for binding in service.ports]
        if ports:
            doc["ports"] = ports
        if container.health is not None:
            doc["healthcheck"] = _healthcheck(container.health, service.start_timeout)
        self._storage(doc, container, container.mounts, container.secrets)
        depends = {name: {"condition": "service_healthy"} for name in service.depends_on}
        depends.update(
            {job.name: {"condition": "service_completed_successfully"} for job in container.jobs}
        )
        if depends:
            doc["depends_on"] = depends
        if container.user:
            doc["user"] = container.user
        if container.init_process:
            doc["init"] = True
        doc["stop_signal"] = service.stop_signal
        doc["stop_grace_period"] = f"{service.stop_timeout:g}s"
        return doc

    def job(self, owner: Service, container: Container, job: ContainerJob) -> dict[str, Any]:
        doc = self._image(container, builds_it=False)
        doc["command"] = list(job.command)
        if job.env:
            doc["environment"] = dict(job.env)
        self._storage(doc, container, job.mounts, job.secrets)
        if owner.depends_on:
            doc["depends_on"] = {
                name: {"condition": "service_healthy"} for name in owner.depends_on
            }
        if container.init_process:
            doc["init"] = True
        doc["restart"] = "no"
        return doc

    def _image(self, container: Container, *, builds_it: bool) -> dict[str, Any]:
        doc: dict[str, Any] = {"image": container.image}
        if not container.build:
            return doc
        build = self._build(container)
        if not builds_it:
            doc["pull_policy"] = "never"  # one service builds it; the others use it
            return doc
        section: dict[str, Any] = {
            "context": self.relative(build.context),
            "dockerfile": os.path.relpath(build.dockerfile, build.context),
            "target": build.target,
        }
        if build.args:
            section["args"] = dict(build.args)
        if build.secrets:
            section["secrets"] = [secret.name for secret in build.secrets]
            for secret in build.secrets:
                self.secrets[secret.name] = secret.source
        doc["build"] = section
        return doc

    def _build(self, container: Container) -> ImageBuild:
        try:
            return self.inputs.builds[container.build]
        except KeyError:
            raise ValueError(f"no image build named {container.build!r}") from None

    def _port(self, name: str, published: int, container: Container) -> dict[str, Any]:
        try:
            target = container.ports[name]
        except KeyError:
            raise ValueError(f"no port inside the container for {name!r}") from None
        return {
            "target": target,
            "published": str(published),
            "host_ip": HOST_IP,
            "protocol": "tcp",
        }

    def _storage(
        self,
        doc: dict[str, Any],
        container: Container,
        mounts: tuple[Mount, ...],
        secrets: tuple[Secret, ...],
    ) -> None:
        if container.build:
            mounts = (*mounts, *self._build(container).dev_mounts)
        if mounts:
            doc["volumes"] = [self._mount(mount) for mount in mounts]
        if secrets:
            doc["secrets"] = [secret.name for secret in secrets]
            for secret in secrets:
                self.secrets[secret.name] = secret.source

    def _mount(self, mount: Mount) -> dict[str, Any]:
        if mount.kind == "volume":
            self.volumes.add(mount.source)
            source = mount.source
        else:
            source = self.relative(self.inputs.project.root / mount.source)
        doc: dict[str, Any] = {"type": mount.kind, "source": source, "target": mount.target}
        if mount.read_only:
            doc["read_only"] = True
        return doc


def builders(project: Project) -> dict[str, str]:
    """The one service that carries each build (by build name): the service named after
    the build, else the first that uses it."""
    found: dict[str, str] = {}
    for service in project.services:
        build = service.container.build if service.container else ""
        if build and (build not in found or service.name == build):
            found[build] = service.name
    return found


def _healthcheck(check: CommandCheck, start_timeout: float) -> dict[str, Any]:
    return {
        "test": ["CMD", *check.argv],
        "interval": HEALTH_INTERVAL,
        "timeout": "5s",
        "retries": 3,
        # Failures while starting do not count; the first success counts at once.
        "start_period": f"{start_timeout:g}s",
    }
