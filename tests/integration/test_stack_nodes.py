"""The stack past one node: a Swarm of three nodes on this machine (swarm_nodes.py).

One test, as an operator meets it: a Classic UI project on ZEO built with `plonedev
build`, its images copied to the three nodes' engines (no registry), `plonedev deploy
--no-ipvs --varnish-replicas 2 --database-node node1` against the manager. Then

1. the services converge: the backends and Varnish have tasks on more than one node,
   the ZEO server and the ingress (its port published on the node) stay on node1;
2. a rolling update (new tags: the backends, Varnish and the ZEO server roll) under a
   bounded request loop through the ingress: no request fails;
3. a node that runs a backend is drained (`docker node update --availability drain`):
   its tasks move to the other nodes, no request fails;
4. a backend task's container is killed (`docker kill`): Swarm replaces it, no request
   fails.

The nodes (and everything on them) are removed after.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from plonedev.runtime.ports import free_port
from tests.integration.plone_project import make_project
from tests.integration.stack_support import (
    Running,
    build_stand_ins,
    docker,
    ensure_nginx_image,
    plonedev_deploy,
    start_page_loop,
    swarm_ready,
)
from tests.integration.stack_support import http_request as _http
from tests.integration.swarm_nodes import Node, copy_images, nodes_ready, swarm_nodes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.docker,
    pytest.mark.timeout(2400),
    pytest.mark.skipif(bool(swarm_ready()), reason=swarm_ready() or ""),
    pytest.mark.skipif(bool(nodes_ready()), reason=nodes_ready() or ""),
]

TITLE = "Nodes demo"
SECTION = f"""\
name = "{{name}}"
site-title = "{TITLE}"
storage = "zeo"

[tool.plonedev.images]
python = "plonedev-test/python:3.11"
varnish = "plonedev-test/varnish:7"
"""
REPLICAS = {"ingress": 1, "varnish": 2, "backend": 2, "zeo": 1}


@pytest.fixture
def nodes() -> Iterator[tuple[Node, ...]]:
    with swarm_nodes() as made:
        yield made


def _placement(manager: Node, name: str) -> dict[str, list[str]]:
    """Each service's running tasks' nodes."""
    out = manager.docker(
        "stack", "ps", name, "--filter", "desired-state=running",
        "--format", "{{.Name}}\t{{.Node}}\t{{.CurrentState}}",
    )  # fmt: skip
    placed: dict[str, list[str]] = {}
    for line in out.splitlines():
        task, node, state = line.split("\t")
        if state.startswith("Running"):
            service = task.removeprefix(f"{name}_").split(".")[0]
            placed.setdefault(service, []).append(node)
    return placed


def _wait_converged(manager: Node, name: str, *, avoid: str = "", timeout: float = 600) -> None:
    """Until every service runs its replicas (healthy: Swarm says running then), none on
    `avoid`."""
    deadline = time.monotonic() + timeout
    placed: dict[str, list[str]] = {}
    while time.monotonic() < deadline:
        placed = _placement(manager, name)
        counts = {service: len(nodes) for service, nodes in placed.items()}
        if counts == REPLICAS and not any(avoid in nodes for nodes in placed.values()):
            return
        time.sleep(2)
    raise AssertionError(f"{name} did not converge in {timeout:.0f} s: {placed}")


def _no_failure(running: Running, what: str, timings: dict[str, float]) -> None:
    loop = running.finish()
    timings[f"requests during {what}"] = loop.ok
    assert loop.failures == [], f"{what}: {len(loop.failures)} failed: {loop.failures[:10]}"
    assert loop.ok > 20, f"{what}: only {loop.ok} requests"


def test_stack_runs_on_three_nodes_through_update_drain_and_kill(
    tmp_path: Path, nodes: tuple[Node, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"nod{secrets.token_hex(3)}"
    build_stand_ins("python", "varnish")
    nginx = ensure_nginx_image()
    project = make_project(tmp_path, SECTION.format(name=name))
    port = free_port()
    manager = nodes[0]
    timings: dict[str, float] = {}
    roles = ("backend", "varnish")
    built = [f"{name}-{role}:t1" for role in roles]
    extra = ("--varnish-replicas", "2", "--database-node", manager.hostname)
    try:
        started = time.monotonic()
        project.run("build", "--tag", "t1", timeout=2700)
        timings["build"] = time.monotonic() - started
        started = time.monotonic()
        copy_images(nodes, *built, nginx)
        timings["images to the nodes"] = time.monotonic() - started
        monkeypatch.setenv("DOCKER_HOST", manager.socket)  # plonedev's docker, and ours

        # 1. Converged, spread over the nodes; the database on its node.
        started = time.monotonic()
        plonedev_deploy(project, port, nginx, "t1", *extra)
        _wait_converged(manager, name)
        timings["first deploy"] = time.monotonic() - started
        placed = _placement(manager, name)
        assert len(set(placed["backend"])) == 2, placed
        assert len(set(placed["varnish"])) == 2, placed
        assert placed["zeo"] == placed["ingress"] == [manager.hostname], placed
        zeo = json.loads(manager.docker("service", "inspect", f"{name}_zeo"))[0]
        constraints = zeo["Spec"]["TaskTemplate"]["Placement"]["Constraints"]
        assert constraints == [f"node.hostname == {manager.hostname}"]
        page = _http(port, "GET", "/", address=manager.address)
        deadline = time.monotonic() + 60  # Varnish's probe window, after Swarm's health
        while page.status == 503 and time.monotonic() < deadline:
            time.sleep(2)
            page = _http(port, "GET", "/", address=manager.address)
        assert (page.status, TITLE in page.body) == (200, True), page.body[:500]

        # 2. A rolling update (new tags), requests through the ingress all the while.
        for node in nodes:
            for role in roles:
                node.docker("tag", f"{name}-{role}:t1", f"{name}-{role}:t2")
        running = start_page_loop(port, TITLE, address=manager.address)
        started = time.monotonic()
        plonedev_deploy(project, port, nginx, "t2", *extra)
        timings["rolling update"] = time.monotonic() - started
        _no_failure(running, "the rolling update", timings)

        # 3. A node that runs a backend drained: its tasks move, nothing fails.
        target = next(n for n in nodes[1:] if n.hostname in _placement(manager, name)["backend"])
        running = start_page_loop(port, TITLE, address=manager.address)
        started = time.monotonic()
        manager.docker("node", "update", "--availability", "drain", target.hostname)
        _wait_converged(manager, name, avoid=target.hostname)
        timings["drain"] = time.monotonic() - started
        _no_failure(running, "the drain", timings)
        assert len(set(_placement(manager, name)["backend"])) == 2
        manager.docker("node", "update", "--availability", "active", target.hostname)

        # 4. A backend task's container killed: Swarm replaces it, nothing fails.
        victim = next(n for n in nodes if n.hostname in _placement(manager, name)["backend"])
        label = f"label=com.docker.swarm.service.name={name}_backend"
        container = victim.docker("ps", "-q", "--filter", label).split()[0]
        running = start_page_loop(port, TITLE, address=manager.address)
        started = time.monotonic()
        victim.docker("kill", container)
        time.sleep(3)  # Swarm sees the task fail
        _wait_converged(manager, name)
        timings["killed backend replaced"] = time.monotonic() - started
        _no_failure(running, "the kill", timings)

    finally:
        monkeypatch.delenv("DOCKER_HOST", raising=False)
        docker("image", "rm", *built, f"{name}-backend:dev", check=False)
        print("nodes test timings:", {k: round(v, 1) for k, v in timings.items()})
