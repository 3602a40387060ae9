"""A Swarm of several nodes on this one machine, for the tests that must cross nodes.

scripts/swarm-nodes.sh makes it: each node a second dockerd in its own network
namespace (Docker-in-Docker cannot run here), node1 the manager, the nodes' hosts
10.203.0.11, .12, ... Overlay networks work across them; the routing mesh and VIPs do
not (no IPVS): stacks run with `--no-ipvs`. No registry: images are copied to each
node's engine (`docker save | docker load`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.integration.plone_project import REPO
from tests.integration.stack_support import docker

SCRIPT = REPO / "scripts" / "swarm-nodes.sh"
NODES = 3


def nodes_ready() -> str:
    """Why the several-node tests cannot run here ("" when they can)."""
    if os.geteuid() != 0:
        return "the nodes' namespaces need root"
    for tool in ("docker", "dockerd", "ip", "iptables", "nsenter", "unshare"):
        if shutil.which(tool) is None:
            return f"no {tool}"
    return ""


@dataclass(frozen=True)
class Node:
    number: int

    @property
    def hostname(self) -> str:
        return f"node{self.number}"

    @property
    def socket(self) -> str:
        return f"unix:///run/swarm-nodes/node{self.number}/docker.sock"

    @property
    def address(self) -> str:
        """Where a port it publishes in host mode is reached from this machine."""
        return f"10.203.0.1{self.number}"

    def docker(self, *args: str, check: bool = True, timeout: float = 120) -> str:
        return docker("-H", self.socket, *args, check=check, timeout=timeout)


@contextmanager
def swarm_nodes(count: int = NODES) -> Iterator[tuple[Node, ...]]:
    """`count` nodes joined in a Swarm (node1 the manager), torn down after."""
    try:
        _script("up", str(count))
        yield tuple(Node(i) for i in range(1, count + 1))
    finally:
        _script("down")


def copy_images(nodes: tuple[Node, ...], *images: str) -> None:
    """The host engine's `images` loaded into every node's engine (no registry here)."""
    with tempfile.TemporaryDirectory(prefix="swarm-images-") as folder:
        archive = Path(folder) / "images.tar"
        subprocess.run(
            ["docker", "save", "-o", str(archive), *images],
            check=True,
            timeout=600,
            env={k: v for k, v in os.environ.items() if k != "DOCKER_HOST"},
        )
        for node in nodes:
            node.docker("load", "-i", str(archive), timeout=600)


def _script(*args: str) -> None:
    done = subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"swarm-nodes.sh {' '.join(args)}: {done.stdout}\n{done.stderr}")
