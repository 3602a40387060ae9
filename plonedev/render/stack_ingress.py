"""The stack's ingress service: Traefik or nginx, the only one with published ports.

The routes themselves are in stack_traefik (labels on the other services) and
stack_nginx (its configuration file, a Swarm config); this module makes the service.
"""

from __future__ import annotations

from typing import Any

from plonedev.model import Role
from plonedev.render.containers import BACKEND_PORT, VARNISH_PORT
from plonedev.render.stack_backend import VARNISH_SERVICE
from plonedev.render.stack_context import (
    ACME_VOLUME,
    EDGE_NETWORK,
    FRONTEND_PORT,
    INTERNAL_NETWORK,
    StackContext,
)
from plonedev.render.stack_deploy import MANAGER, Order, deploy, healthcheck
from plonedev.render.stack_nginx import CONF_TARGET, nginx_health, render_nginx_conf
from plonedev.render.stack_options import Ingress
from plonedev.render.stack_traefik import (
    ACME_STORAGE,
    DASHBOARD_USERS_KEY,
    dashboard_labels,
    traefik_environment,
    traefik_health,
)

NGINX_CONFIG = "nginx_conf"  # the Swarm config's key in the stack file


def ingress_service(ctx: StackContext) -> dict[str, Any]:
    if ctx.options.ingress is Ingress.TRAEFIK:
        return _traefik(ctx)
    return _nginx(ctx)


def nginx_conf(ctx: StackContext) -> str:
    """The nginx ingress's configuration: its routes to Varnish, frontend and backend."""
    backend = ctx.required(Role.BACKEND)
    frontend = (ctx.frontend.name, FRONTEND_PORT) if ctx.frontend is not None else None
    return render_nginx_conf(
        ctx.options,
        site_id=ctx.config.site_id,
        varnish=(VARNISH_SERVICE, VARNISH_PORT),
        backend=(backend.name, BACKEND_PORT),
        frontend=frontend,
    )


def _traefik(ctx: StackContext) -> dict[str, Any]:
    options = ctx.options
    section = deploy("ingress", order=_order(ctx), dnsrr=ctx.dnsrr, placement=(MANAGER,))
    service: dict[str, Any] = {
        "image": options.ingress_image_name,
        "environment": traefik_environment(options),
        "ports": [_port(ctx, 80, options.http_port), _port(ctx, 443, options.https_port)],
        "volumes": [
            # The Swarm provider reads services and tasks from a manager's API.
            {
                "type": "bind",
                "source": "/var/run/docker.sock",
                "target": "/var/run/docker.sock",
                "read_only": True,
            },
            ctx.volume(ACME_VOLUME, ACME_STORAGE.rsplit("/", 1)[0]),
        ],
        "networks": [EDGE_NETWORK, INTERNAL_NETWORK],
        "healthcheck": healthcheck(traefik_health(), 30),
        "deploy": section,
    }
    if options.dashboard:
        service["secrets"] = [{"source": DASHBOARD_USERS_KEY, "target": DASHBOARD_USERS_KEY}]
        section["labels"] = dashboard_labels(ctx.prefix, options)
    return service


def _nginx(ctx: StackContext) -> dict[str, Any]:
    return {
        "image": ctx.options.ingress_image_name,
        "configs": [{"source": NGINX_CONFIG, "target": CONF_TARGET}],
        "ports": [_port(ctx, 80, ctx.options.http_port)],
        "networks": [EDGE_NETWORK, INTERNAL_NETWORK],
        "healthcheck": healthcheck(nginx_health(), 30),
        "deploy": deploy("ingress", order=_order(ctx), dnsrr=ctx.dnsrr, placement=_pin(ctx)),
    }


def _pin(ctx: StackContext) -> tuple[str, ...]:
    # A port published on the node itself is reached at that node's address: keep the
    # ingress on a manager (as Traefik is), not on whichever node Swarm picks.
    return () if ctx.options.ipvs else (MANAGER,)


def _order(ctx: StackContext) -> Order:
    # A port published on the node itself can be held by one task at a time.
    return "start-first" if ctx.options.ipvs else "stop-first"


def _port(ctx: StackContext, target: int, published: int) -> dict[str, Any]:
    return {
        "target": target,
        "published": published,
        "protocol": "tcp",
        # ingress: the routing mesh answers on every node; host: this node only.
        "mode": "ingress" if ctx.options.ipvs else "host",
    }
