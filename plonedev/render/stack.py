"""Render the service model as a Docker Swarm stack (production).

Built from plonedev.model.Project as a dict and dumped; never from `docker compose
config`, whose output the stack schema (the older v3 one) rejects. The shape:

    ingress (Traefik or nginx) -> Varnish -> ingress, internal entry point
        -> header-matched routes -> frontend (Volto) | backend (/++api++)
    backend x N -> PostgreSQL (RelStorage) | ZEO server (shared blob volume)

Varnish forwards to the ingress (one address) rather than to the replicas: it resolves
a backend's name once, when the VCL loads, and refuses a name with several addresses.
Nothing secret is in the file: passwords are external Swarm secrets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml

from plonedev.config import PlonedevConfig
from plonedev.model import Project, Role, Service
from plonedev.render.containers import (
    ADMIN_SECRET,
    BACKEND_PORT,
    VARNISH_PORT,
)
from plonedev.render.owned import MARKER
from plonedev.render.stack_backend import BLOBS
from plonedev.render.stack_deploy import MANAGER, Order, deploy, healthcheck
from plonedev.render.stack_images import StackImages
from plonedev.render.stack_nginx import CONF_TARGET, nginx_health, render_nginx_conf
from plonedev.render.stack_options import Ingress, StackOptions, StackStorage
from plonedev.render.stack_traefik import (
    ACME_STORAGE,
    backend_labels,
    frontend_labels,
    traefik_environment,
    traefik_health,
    varnish_labels,
)
from plonedev.render.stack_vcl import INGRESS_HOST as INGRESS
from plonedev.runtime.base import SITE_JOB

STACK_VERSION = "3.8"  # Swarm's compose schema; 3.8 is read by every engine since 19.03
EDGE_NETWORK = "edge"  # overlay: the ingress, and what reaches the outside
INTERNAL_NETWORK = "internal"  # overlay, internal: everything else
FRONTEND_PORT = 3000
BLOB_VOLUME = "blobs"
ACME_VOLUME = "letsencrypt"
DB_SECRET = "db_password"  # noqa: S105 (a secret's key, not its value)
ADMIN_KEY = "admin_password"
VARNISH_SIZE = "256M"
# How long a stopping Varnish keeps serving: longer than the ingress takes to notice
# (nginx's DNS cache: 5 s; Traefik's Swarm refresh: TRAEFIK_PROVIDERS_SWARM_REFRESHSECONDS).
DRAIN_SECONDS = 8


@dataclass(frozen=True)
class StackSecret:
    key: str  # the secret's key in the stack file
    name: str  # the Swarm secret it names (external: created before the deploy)
    description: str


@dataclass(frozen=True)
class RenderedStack:
    text: str  # the stack file
    files: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    secrets: tuple[StackSecret, ...] = ()


def stack_secrets(project_name: str, storage: StackStorage) -> tuple[StackSecret, ...]:
    secrets = [StackSecret(ADMIN_KEY, f"{project_name}_admin_password", "the site's admin")]
    if storage is StackStorage.RELSTORAGE:
        secrets.append(
            StackSecret(DB_SECRET, f"{project_name}_db_password", "PostgreSQL's plone user")
        )
    return tuple(secrets)


def nginx_conf_name(stack_file_name: str) -> str:
    """The nginx configuration's file name, next to the stack file."""
    stem = stack_file_name.rsplit(".", 1)[0] if "." in stack_file_name else stack_file_name
    return f"{stem}.nginx.conf"


def render_stack(
    config: PlonedevConfig,
    project: Project,
    options: StackOptions,
    images: StackImages,
    storage: StackStorage,
    *,
    stack_file_name: str = "stack.yml",
) -> RenderedStack:
    """The stack file (and the files it names) for `project`, whose model was built
    for the stack's storage and with Varnish."""
    renderer = _Stack(config, project, options, images, storage)
    document = renderer.document()
    files: dict[str, str] = {}
    if options.ingress is Ingress.NGINX:
        conf_name = nginx_conf_name(stack_file_name)
        conf = renderer.nginx_conf()
        files[conf_name] = conf
        digest = hashlib.sha256(conf.encode()).hexdigest()[:10]
        # Swarm configs cannot change: a new content gets a new name, and the ingress
        # rolls over to it.
        document["configs"] = {
            "nginx_conf": {"name": f"{project.name}_nginx_{digest}", "file": f"./{conf_name}"}
        }
    header = (
        f"# {MARKER} (plonedev export-stack) from pyproject.toml [tool.plonedev].\n"
        f"# Deploy: docker stack deploy -c {stack_file_name} {project.name}\n"
        f"# Secrets it needs (external): {', '.join(s.name for s in renderer.secrets)}\n"
    )
    body = yaml.safe_dump(_escape(document), sort_keys=False, default_flow_style=False, width=100)
    return RenderedStack(header + body, MappingProxyType(files), renderer.secrets)


class _Stack:
    def __init__(
        self,
        config: PlonedevConfig,
        project: Project,
        options: StackOptions,
        images: StackImages,
        storage: StackStorage,
    ) -> None:
        self.config = config
        self.project = project
        self.options = options
        self.images = images
        self.storage = storage
        self.prefix = project.name
        self.dnsrr = not options.ipvs
        self.secrets = stack_secrets(project.name, storage)
        self.volumes: list[str] = []
        frontend = self._by_role(Role.FRONTEND)
        # The frontend runs when the project has one and `plonedev build` makes its image.
        self.frontend = frontend if images.frontend else None

    def _by_role(self, role: Role) -> Service | None:
        for service in self.project.services:
            if service.role is role:
                return service
        return None

    def _required(self, role: Role) -> Service:
        service = self._by_role(role)
        if service is None or service.container is None:
            raise ValueError(f"the stack's model has no {role.value} container")
        return service

    def document(self) -> dict[str, Any]:
        services: dict[str, Any] = {INGRESS: self.ingress(), "varnish": self.varnish()}
        if self.frontend is not None:
            services[self.frontend.name] = self.frontend_service(self.frontend)
        backend = self._required(Role.BACKEND)
        services[backend.name] = self.backend(backend)
        if self.storage is StackStorage.RELSTORAGE:
            database = self._required(Role.POSTGRES)
            services[database.name] = self.postgres(database)
        else:
            database = self._required(Role.ZEO)
            services[database.name] = self.zeo(database)
        return {
            "version": STACK_VERSION,
            "services": services,
            "networks": {
                EDGE_NETWORK: {"driver": "overlay", "attachable": True},
                INTERNAL_NETWORK: {"driver": "overlay", "internal": True},
            },
            "volumes": {name: {} for name in self.volumes},
            "secrets": {
                secret.key: {"external": True, "name": secret.name} for secret in self.secrets
            },
        }

    # --- the ingress ---------------------------------------------------------------

    def ingress(self) -> dict[str, Any]:
        if self.options.ingress is Ingress.TRAEFIK:
            return self._traefik()
        return self._nginx()

    def _traefik(self) -> dict[str, Any]:
        self.volumes.append(ACME_VOLUME)
        ports = [
            self._port(80, self.options.http_port),
            self._port(443, self.options.https_port),
        ]
        return {
            "image": self.options.ingress_image_name,
            "environment": traefik_environment(self.options),
            "ports": ports,
            "volumes": [
                # The Swarm provider reads services and tasks from a manager's API.
                {
                    "type": "bind",
                    "source": "/var/run/docker.sock",
                    "target": "/var/run/docker.sock",
                    "read_only": True,
                },
                {"type": "volume", "source": ACME_VOLUME, "target": ACME_STORAGE.rsplit("/", 1)[0]},
            ],
            "networks": [EDGE_NETWORK, INTERNAL_NETWORK],
            "healthcheck": healthcheck(traefik_health(), 30),
            "deploy": deploy(
                "ingress",
                order=self._ingress_order(),
                dnsrr=self.dnsrr,
                placement=(MANAGER,),
            ),
        }

    def _nginx(self) -> dict[str, Any]:
        return {
            "image": self.options.ingress_image_name,
            "configs": [{"source": "nginx_conf", "target": CONF_TARGET}],
            "ports": [self._port(80, self.options.http_port)],
            "networks": [EDGE_NETWORK, INTERNAL_NETWORK],
            "healthcheck": healthcheck(nginx_health(), 30),
            "deploy": deploy("ingress", order=self._ingress_order(), dnsrr=self.dnsrr),
        }

    def nginx_conf(self) -> str:
        backend = self._required(Role.BACKEND)
        frontend = (self.frontend.name, FRONTEND_PORT) if self.frontend is not None else None
        return render_nginx_conf(
            self.options,
            site_id=self.config.site_id,
            varnish=("varnish", VARNISH_PORT),
            backend=(backend.name, BACKEND_PORT),
            frontend=frontend,
        )

    def _ingress_order(self) -> Order:
        # A port published on the node itself can be held by one task at a time.
        return "start-first" if self.options.ipvs else "stop-first"

    def _port(self, target: int, published: int) -> dict[str, Any]:
        return {
            "target": target,
            "published": published,
            "protocol": "tcp",
            # ingress: the routing mesh answers on every node; host: this node only.
            "mode": "ingress" if self.options.ipvs else "host",
        }

    # --- Varnish, frontend, backend ------------------------------------------------

    def varnish(self) -> dict[str, Any]:
        service = self._required(Role.VARNISH)
        assert service.container is not None
        labels = None
        if self.options.ingress is Ingress.TRAEFIK:
            labels = varnish_labels(self.prefix, self.options, VARNISH_PORT)
        doc: dict[str, Any] = {
            "image": self.images.varnish,
            "environment": {"VARNISH_SIZE": VARNISH_SIZE, "DRAIN_SECONDS": str(DRAIN_SECONDS)},
            "networks": [INTERNAL_NETWORK],
            "depends_on": [INGRESS],
        }
        if service.container.health is not None:
            doc["healthcheck"] = healthcheck(service.container.health, 60)
        # The image's entrypoint serves DRAIN_SECONDS after the stop signal (stack-varnish).
        doc["stop_grace_period"] = f"{DRAIN_SECONDS + 10}s"
        doc["deploy"] = deploy("varnish", dnsrr=self.dnsrr, labels=labels)
        return doc

    def frontend_service(self, service: Service) -> dict[str, Any]:
        assert self.images.frontend is not None
        backend = self._required(Role.BACKEND)
        labels = None
        if self.options.ingress is Ingress.TRAEFIK:
            labels = frontend_labels(self.prefix, self.options, FRONTEND_PORT)
        container = service.container
        env: dict[str, str] = dict(container.env) if container is not None else {}
        env.update(
            {
                "PORT": str(FRONTEND_PORT),
                # Server-side rendering asks a backend directly; browsers use the site's
                # own address (/++api++ through the ingress).
                "RAZZLE_INTERNAL_API_PATH": (
                    f"http://{backend.name}:{BACKEND_PORT}/{self.config.site_id}"
                ),
            }
        )
        probe: tuple[str, ...] = (
            "node",
            "-e",
            f"fetch('http://127.0.0.1:{FRONTEND_PORT}/ok')"
            ".then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
        )
        health = container.health if container is not None and container.health else probe
        return {
            "image": self.images.frontend,
            "environment": env,
            "networks": [INTERNAL_NETWORK],
            "depends_on": [backend.name],
            "healthcheck": healthcheck(health, 120),
            "deploy": deploy(
                "frontend",
                replicas=self.options.frontend_replicas,
                dnsrr=self.dnsrr,
                labels=labels,
            ),
        }

    def backend(self, service: Service) -> dict[str, Any]:
        container = service.container
        assert container is not None
        env = {
            # The first replica creates the site when it is missing (stack-entrypoint).
            "CREATE_SITE": "1",
            "TASK_SLOT": "{{.Task.Slot}}",
            **self._site_env(service),
        }
        secrets: list[dict[str, str]] = [{"source": ADMIN_KEY, "target": ADMIN_SECRET}]
        volumes: list[dict[str, Any]] = []
        placement: tuple[str, ...] = ()
        if self.storage is StackStorage.RELSTORAGE:
            env["DB_PASSWORD_FILE"] = f"/run/secrets/{DB_SECRET}"
            secrets.append({"source": DB_SECRET, "target": DB_SECRET})
        else:
            volumes.append({"type": "volume", "source": BLOB_VOLUME, "target": BLOBS})
            # The blob volume is a local volume: the clients run where the server runs.
            placement = (MANAGER,)
        labels = None
        if self.options.ingress is Ingress.TRAEFIK:
            labels = backend_labels(
                self.prefix,
                self.options,
                BACKEND_PORT,
                self.config.site_id,
                frontend=self.frontend is not None,
            )
        doc: dict[str, Any] = {
            "image": self.images.backend,
            "environment": env,
            "secrets": secrets,
            "networks": [INTERNAL_NETWORK],
            "depends_on": list(service.depends_on),
        }
        if volumes:
            doc["volumes"] = volumes
        if container.health is not None:
            doc["healthcheck"] = healthcheck(container.health, service.start_timeout)
        self._stop(doc, service, init=container.init_process)
        doc["deploy"] = deploy(
            "backend",
            replicas=self.options.backend_replicas,
            dnsrr=self.dnsrr,
            placement=placement,
            labels=labels,
        )
        return doc

    def _site_env(self, service: Service) -> dict[str, str]:
        assert service.container is not None
        for job in service.container.jobs:
            if job.name == SITE_JOB:
                env = dict(job.env)
                # ZEO: the shared blob volume remembers the site; RelStorage asks the
                # database each time (PostgreSQL's volume is not the backend's).
                marker = f"{BLOBS}/.plonedev-site-{self.config.site_id}"
                env["SITE_MARKER"] = marker if self.storage is StackStorage.ZEO else ""
                return env
        raise ValueError("the backend's model has no site job")

    # --- storage -------------------------------------------------------------------

    def postgres(self, service: Service) -> dict[str, Any]:
        container = service.container
        assert container is not None
        env = {k: v for k, v in container.env.items() if k != "POSTGRES_HOST_AUTH_METHOD"}
        env["POSTGRES_PASSWORD_FILE"] = f"/run/secrets/{DB_SECRET}"
        doc: dict[str, Any] = {
            "image": container.image,
            "environment": env,
            "secrets": [{"source": DB_SECRET, "target": DB_SECRET}],
            "volumes": [self._volume(m.source, m.target) for m in container.mounts],
            "networks": [INTERNAL_NETWORK],
        }
        if container.health is not None:
            doc["healthcheck"] = healthcheck(container.health, 60)
        self._stop(doc, service, init=container.init_process)
        doc["deploy"] = deploy(
            "postgres", order="stop-first", dnsrr=self.dnsrr, placement=(MANAGER,)
        )
        return doc

    def zeo(self, service: Service) -> dict[str, Any]:
        container = service.container
        assert container is not None
        doc: dict[str, Any] = {
            "image": self.images.backend,  # runzeo is in the backend's image
            "command": list(container.command),
            "volumes": [
                *(self._volume(m.source, m.target) for m in container.mounts),
                self._volume(BLOB_VOLUME, BLOBS),
            ],
            "networks": [INTERNAL_NETWORK],
        }
        if container.health is not None:
            doc["healthcheck"] = healthcheck(container.health, 60)
        self._stop(doc, service, init=container.init_process)
        doc["deploy"] = deploy("zeo", order="stop-first", dnsrr=self.dnsrr, placement=(MANAGER,))
        return doc

    # --- helpers -------------------------------------------------------------------

    def _volume(self, name: str, target: str) -> dict[str, Any]:
        if name not in self.volumes:
            self.volumes.append(name)
        return {"type": "volume", "source": name, "target": target}

    @staticmethod
    def _stop(doc: dict[str, Any], service: Service, *, init: bool) -> None:
        if init:
            doc["init"] = True  # forwards the stop signal to the server
        doc["stop_signal"] = service.stop_signal
        doc["stop_grace_period"] = f"{service.stop_timeout:g}s"


def _escape(value: Any) -> Any:
    """`$` doubled in every string: `docker stack deploy` interpolates variables, and
    nothing here is meant as one (Traefik's `$1` must reach Traefik)."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {key: _escape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escape(item) for item in value]
    return value
