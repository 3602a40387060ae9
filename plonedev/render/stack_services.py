"""The stack's application services: Varnish, the Volto frontend and the backends.

Varnish and the frontend keep serving DRAIN_SECONDS after Swarm asks them to stop (their
images' entrypoints), so that the ingress, which may still send to a stopping task for a
few seconds, never finds it gone. The frontend gets production settings only: where
browsers reach the API (the public host) and where server-side rendering does (a backend
on the internal network).
"""

from __future__ import annotations

from typing import Any

from plonedev.model import SITE_JOB, CommandCheck, Role, Service
from plonedev.render.containers import ADMIN_SECRET, BACKEND_PORT, VARNISH_PORT
from plonedev.render.stack_backend import CACHING_SETTINGS
from plonedev.render.stack_context import (
    ADMIN_KEY,
    DB_SECRET,
    DRAIN_SECONDS,
    FRONTEND_PORT,
    INTERNAL_NETWORK,
    StackContext,
)
from plonedev.render.stack_deploy import deploy, healthcheck, stop_settings
from plonedev.render.stack_options import Ingress, StackStorage
from plonedev.render.stack_traefik import backend_labels, frontend_labels, varnish_labels
from plonedev.render.stack_vcl import INGRESS_HOST

VARNISH_SIZE = "256M"
FRONTEND_START_SECONDS = 120
# The production image's /ok (Volto answers it without rendering a page).
FRONTEND_PROBE: tuple[str, ...] = (
    "node",
    "-e",
    f"fetch('http://127.0.0.1:{FRONTEND_PORT}/ok')"
    ".then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))",
)


def varnish_service(ctx: StackContext) -> dict[str, Any]:
    service = ctx.required(Role.VARNISH)
    assert service.container is not None
    labels = None
    if ctx.options.ingress is Ingress.TRAEFIK:
        labels = varnish_labels(ctx.prefix, ctx.options, VARNISH_PORT)
    doc: dict[str, Any] = {
        "image": ctx.images.varnish,
        "environment": {
            "VARNISH_SIZE": VARNISH_SIZE,
            "DRAIN_SECONDS": str(DRAIN_SECONDS),
            # Its entrypoint loads the VCL again when the ingress's address changes.
            "UPSTREAM_HOST": INGRESS_HOST,
        },
        "networks": [INTERNAL_NETWORK],
        "depends_on": [INGRESS_HOST],
    }
    if service.container.health is not None:
        doc["healthcheck"] = healthcheck(service.container.health, 60)
    # The image's entrypoint serves DRAIN_SECONDS after the stop signal (stack-varnish).
    doc["stop_grace_period"] = f"{DRAIN_SECONDS + 10}s"
    doc["deploy"] = deploy(
        "varnish", replicas=ctx.options.varnish_replicas, dnsrr=ctx.dnsrr, labels=labels
    )
    return doc


def frontend_service(ctx: StackContext, service: Service) -> dict[str, Any]:
    assert ctx.images.frontend is not None
    backend = ctx.required(Role.BACKEND)
    labels = None
    if ctx.options.ingress is Ingress.TRAEFIK:
        labels = frontend_labels(ctx.prefix, ctx.options, FRONTEND_PORT)
    return {
        "image": ctx.images.frontend,
        "environment": frontend_environment(
            ctx, f"{ctx.options.public_scheme}://{ctx.options.host}"
        ),
        "networks": [INTERNAL_NETWORK],
        "depends_on": [backend.name],
        "healthcheck": healthcheck(frontend_health(service), FRONTEND_START_SECONDS),
        "stop_grace_period": f"{DRAIN_SECONDS + 10}s",
        "deploy": deploy(
            "frontend",
            replicas=ctx.options.frontend_replicas,
            dnsrr=ctx.dnsrr,
            labels=labels,
        ),
    }


def frontend_environment(ctx: StackContext, public_url: str) -> dict[str, str]:
    """The production frontend's settings (none of the dev server's: webpack, the API
    proxy), for the stack and for Kubernetes."""
    backend = ctx.required(Role.BACKEND)
    return {
        "PORT": str(FRONTEND_PORT),
        # Browsers call the site's own address (/++api++ through the ingress and
        # Varnish); Volto also takes its public URL from it.
        "RAZZLE_API_PATH": public_url,
        # Server-side rendering asks a backend directly, on the internal network.
        "RAZZLE_INTERNAL_API_PATH": f"http://{backend.name}:{BACKEND_PORT}/{ctx.config.site_id}",
        # The image's launcher serves this long after the stop signal (start-prod.cjs).
        "DRAIN_SECONDS": str(DRAIN_SECONDS),
    }


def frontend_health(service: Service) -> tuple[str, ...] | CommandCheck:
    container = service.container
    return container.health if container is not None and container.health else FRONTEND_PROBE


def backend_environment(ctx: StackContext, service: Service) -> dict[str, str]:
    """The production backend's settings: the site it creates when missing, and where
    the database password is (a secret mounted as a file)."""
    env = {"CREATE_SITE": "1", **_site_env(ctx, service)}
    if ctx.storage is StackStorage.RELSTORAGE:
        env["DB_PASSWORD_FILE"] = f"/run/secrets/{DB_SECRET}"
    return env


def backend_service(ctx: StackContext, service: Service) -> dict[str, Any]:
    container = service.container
    assert container is not None
    # The first replica creates the site when it is missing (stack-entrypoint), and
    # installs the caching settings baked into the image when the site lacks them.
    env = {
        "TASK_SLOT": "{{.Task.Slot}}",
        **backend_environment(ctx, service),
        "CACHING_SETTINGS": CACHING_SETTINGS,
    }
    secrets: list[dict[str, str]] = [{"source": ADMIN_KEY, "target": ADMIN_SECRET}]
    if ctx.storage is StackStorage.RELSTORAGE:
        secrets.append({"source": DB_SECRET, "target": DB_SECRET})
    labels = None
    if ctx.options.ingress is Ingress.TRAEFIK:
        labels = backend_labels(
            ctx.prefix,
            ctx.options,
            BACKEND_PORT,
            ctx.config.site_id,
            frontend=ctx.frontend is not None,
        )
    doc: dict[str, Any] = {
        "image": ctx.images.backend,
        "environment": env,
        "secrets": secrets,
        "networks": [INTERNAL_NETWORK],
        "depends_on": list(service.depends_on),
    }
    if container.health is not None:
        doc["healthcheck"] = healthcheck(container.health, service.start_timeout)
    doc.update(stop_settings(service))
    doc["deploy"] = deploy(
        "backend",
        replicas=ctx.options.backend_replicas,
        dnsrr=ctx.dnsrr,
        labels=labels,
    )
    return doc


def _site_env(ctx: StackContext, service: Service) -> dict[str, str]:
    assert service.container is not None
    for job in service.container.jobs:
        if job.name == SITE_JOB:
            env = dict(job.env)
            # No marker file: no volume of the backend's outlives a task (it may run
            # on any node), so the database is asked each time.
            env["SITE_MARKER"] = ""
            return env
    raise ValueError("the backend's model has no site job")
