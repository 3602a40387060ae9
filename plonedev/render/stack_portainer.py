"""Portainer, the optional operator UI (`export-stack --portainer`): server and agents.

The server runs on a manager (its data is a local volume) and reaches every node
through an agent (one per node, global mode) on a network of their own. Traefik
publishes it under its own host name, with HTTPS; its admin password is a Swarm secret
read at the first start, so the UI is never open to whoever comes first.
"""

from __future__ import annotations

from typing import Any

from plonedev.render.stack_context import INTERNAL_NETWORK, StackContext
from plonedev.render.stack_deploy import MANAGER, deploy
from plonedev.render.stack_traefik import RESOLVER, service_labels

PORTAINER_IMAGE = "portainer/portainer-ce:2.21.5"  # an LTS release; edit the file to change
AGENT_IMAGE = "portainer/agent:2.21.5"  # the same version as the server
PORTAINER_NETWORK = "portainer"
PORTAINER_ADMIN_KEY = "portainer_admin_password"
AGENT = "portainer-agent"  # the agents' service name: tasks.<it> lists them
UI_PORT = 9000  # plain HTTP inside the stack: TLS ends at Traefik
DATA_VOLUME = "portainer_data"
_DOCKER_SOCKET = "/var/run/docker.sock"
_VOLUMES = "/var/lib/docker/volumes"  # the agents browse the nodes' volumes


def portainer_service(ctx: StackContext) -> dict[str, Any]:
    section = deploy("portainer", order="stop-first", placement=(MANAGER,))
    section["labels"] = _labels(ctx)
    return {
        "image": PORTAINER_IMAGE,
        # The agents' TLS certificates are their own, made at start: nothing to verify.
        "command": [
            *("-H", f"tcp://tasks.{AGENT}:9001", "--tlsskipverify"),
            *("--admin-password-file", f"/run/secrets/{PORTAINER_ADMIN_KEY}"),
        ],
        "secrets": [{"source": PORTAINER_ADMIN_KEY, "target": PORTAINER_ADMIN_KEY}],
        "volumes": [ctx.volume(DATA_VOLUME, "/data")],
        "networks": [PORTAINER_NETWORK, INTERNAL_NETWORK],
        "deploy": section,
    }


def portainer_agent_service(ctx: StackContext) -> dict[str, Any]:
    section = deploy(
        "portainer-agent", order="stop-first", placement=("node.platform.os == linux",)
    )
    section["mode"] = "global"
    del section["replicas"]
    return {
        "image": AGENT_IMAGE,
        "environment": {"AGENT_CLUSTER_ADDR": f"tasks.{AGENT}"},
        "volumes": [
            {"type": "bind", "source": _DOCKER_SOCKET, "target": _DOCKER_SOCKET},
            {"type": "bind", "source": _VOLUMES, "target": _VOLUMES},
        ],
        "networks": [PORTAINER_NETWORK],
        "deploy": section,
    }


def _labels(ctx: StackContext) -> dict[str, str]:
    prefix, options = ctx.prefix, ctx.options
    router = f"traefik.http.routers.{prefix}-portainer"
    return {
        "traefik.enable": "true",
        **service_labels(options),
        # Two networks: Traefik reaches it on the one they share, named after the stack
        # (deployed under the project's name, as `plonedev deploy` and the header do).
        "traefik.swarm.network": f"{prefix}_{INTERNAL_NETWORK}",
        f"{router}.rule": f"Host(`{options.tool_host('portainer')}`)",
        f"{router}.entrypoints": "websecure",
        f"{router}.tls.certresolver": RESOLVER,
        f"{router}.service": f"{prefix}-portainer",
        f"traefik.http.services.{prefix}-portainer.loadbalancer.server.port": str(UI_PORT),
    }
