"""Render the service model as a Docker Swarm stack (production).

Built from plonedev.model.Project as a dict and dumped; never from `docker compose
config`, whose output the stack schema (the older v3 one) rejects. The shape:

    ingress (Traefik or nginx) -> Varnish -> ingress, internal entry point
        -> header-matched routes -> frontend (Volto) | backend (/++api++)
    backend x N -> PostgreSQL (RelStorage) | ZEO server (its blob volume; each backend a blob cache)

Varnish forwards to the ingress (one address) rather than to the replicas: it resolves
a backend's name once, when the VCL loads, and refuses a name with several addresses.
Nothing secret is in the file: passwords are external Swarm secrets.

This module assembles the file; each part has its own: stack_ingress (Traefik or
nginx), stack_services (Varnish, frontend, backend), stack_database (PostgreSQL or ZEO),
with stack_deploy (update, restart, limits, health), stack_traefik and stack_nginx (the
routes) and stack_context (what they share).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

import yaml

from plonedev.config import PlonedevConfig
from plonedev.model import Project, Role
from plonedev.render.owned import MARKER
from plonedev.render.stack_backend import VARNISH_SERVICE
from plonedev.render.stack_context import (
    ADMIN_KEY,
    DB_SECRET,
    EDGE_NETWORK,
    INTERNAL_NETWORK,
    StackContext,
)
from plonedev.render.stack_database import postgres_service, zeo_service
from plonedev.render.stack_images import StackImages
from plonedev.render.stack_ingress import NGINX_CONFIG, ingress_service, nginx_conf
from plonedev.render.stack_options import Ingress, StackOptions, StackStorage
from plonedev.render.stack_portainer import (
    PORTAINER_ADMIN_KEY,
    PORTAINER_NETWORK,
    portainer_agent_service,
    portainer_service,
)
from plonedev.render.stack_services import backend_service, frontend_service, varnish_service
from plonedev.render.stack_traefik import DASHBOARD_USERS_KEY
from plonedev.render.stack_vcl import INGRESS_HOST

__all__ = ["ADMIN_KEY", "RenderedStack", "SecretKind", "StackSecret", "render_stack"]

STACK_VERSION = "3.8"  # Swarm's compose schema; 3.8 is read by every engine since 19.03


class SecretKind(StrEnum):
    RANDOM = "random"  # nobody types it (the database password)
    LOGIN = "login"  # a person logs in with it
    HTPASSWD = "htpasswd"  # a login, kept as an htpasswd line (Traefik's basic auth)


@dataclass(frozen=True)
class StackSecret:
    key: str  # the secret's key in the stack file
    name: str  # the Swarm secret it names (external: created before the deploy)
    description: str
    kind: SecretKind = SecretKind.RANDOM


@dataclass(frozen=True)
class RenderedStack:
    text: str  # the stack file
    files: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    secrets: tuple[StackSecret, ...] = ()


def stack_secrets(
    project_name: str, storage: StackStorage, options: StackOptions
) -> tuple[StackSecret, ...]:
    login = SecretKind.LOGIN
    secrets = [StackSecret(ADMIN_KEY, f"{project_name}_admin_password", "the site's admin", login)]
    if storage is StackStorage.RELSTORAGE:
        secrets.append(
            StackSecret(DB_SECRET, f"{project_name}_db_password", "PostgreSQL's plone user")
        )
    if options.dashboard:
        name, description = f"{project_name}_dashboard_users", "the Traefik dashboard's admin"
        secrets.append(StackSecret(DASHBOARD_USERS_KEY, name, description, SecretKind.HTPASSWD))
    if options.portainer:
        name, description = f"{project_name}_portainer_admin_password", "Portainer's admin"
        secrets.append(StackSecret(PORTAINER_ADMIN_KEY, name, description, login))
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
    ctx = StackContext(config, project, options, images, storage)
    secrets = stack_secrets(project.name, storage, options)
    document = _document(ctx, secrets)
    files: dict[str, str] = {}
    if options.ingress is Ingress.NGINX:
        conf_name = nginx_conf_name(stack_file_name)
        conf = nginx_conf(ctx)
        files[conf_name] = conf
        digest = hashlib.sha256(conf.encode()).hexdigest()[:10]
        # Swarm configs cannot change: a new content gets a new name, and the ingress
        # rolls over to it.
        document["configs"] = {
            NGINX_CONFIG: {"name": f"{project.name}_nginx_{digest}", "file": f"./{conf_name}"}
        }
    header = (
        f"# {MARKER} (plonedev export-stack) from pyproject.toml [tool.plonedev].\n"
        f"# Deploy: docker stack deploy -c {stack_file_name} {project.name}\n"
        f"# Secrets it needs (external): {', '.join(s.name for s in secrets)}\n"
    )
    body = yaml.safe_dump(_escape(document), sort_keys=False, default_flow_style=False, width=100)
    return RenderedStack(header + body, MappingProxyType(files), secrets)


def _document(ctx: StackContext, secrets: tuple[StackSecret, ...]) -> dict[str, Any]:
    # In this order: the volumes are declared as the services first use them.
    services: dict[str, Any] = {
        INGRESS_HOST: ingress_service(ctx),
        VARNISH_SERVICE: varnish_service(ctx),
    }
    if ctx.frontend is not None:
        services[ctx.frontend.name] = frontend_service(ctx, ctx.frontend)
    backend = ctx.required(Role.BACKEND)
    services[backend.name] = backend_service(ctx, backend)
    if ctx.storage is StackStorage.RELSTORAGE:
        database = ctx.required(Role.POSTGRES)
        services[database.name] = postgres_service(ctx, database)
    else:
        database = ctx.required(Role.ZEO)
        services[database.name] = zeo_service(ctx, database)
    networks: dict[str, Any] = {
        EDGE_NETWORK: {"driver": "overlay", "attachable": True},
        INTERNAL_NETWORK: {"driver": "overlay", "internal": True},
    }
    if ctx.options.portainer:
        services["portainer"] = portainer_service(ctx)
        services["portainer-agent"] = portainer_agent_service(ctx)
        # The agents answer only the server: a network of their own, no way out.
        networks[PORTAINER_NETWORK] = {"driver": "overlay", "internal": True}
    return {
        "version": STACK_VERSION,
        "services": services,
        "networks": networks,
        "volumes": {name: {} for name in ctx.volumes},
        "secrets": {secret.key: {"external": True, "name": secret.name} for secret in secrets},
    }


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
