"""From `plonedev build` to a running Swarm stack, and a rolling update nobody notices.

One test, several checks (a deploy costs minutes on a 2-core machine): the images from
`plonedev build`, the nginx variant from `plonedev export-stack --no-ipvs` (this kernel
has no IPVS: ports on the node, DNS round-robin) deployed on the single-node Swarm,
every service healthy, a page through ingress -> Varnish -> ingress -> backend (the
Classic UI shape: the Volto production image is not part of `plonedev build` yet), PURGE
refused from outside and accepted from the internal network, then a redeploy with new
image tags (backend and Varnish roll, start-first) while a request loop on loopback
keeps asking for uncached pages: no request fails, and a document created before the
update is still there after it. The stack, its volumes and secrets are removed after.
"""

from __future__ import annotations

import base64
import http.client
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from plonedev.runtime.ports import free_port
from tests.integration.plone_project import PlonedevProject, make_project
from tests.integration.stack_support import (
    container_health,
    docker,
    ensure_nginx_image,
    remove_stack,
    services,
    swarm_ready,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.docker,
    pytest.mark.skipif(bool(swarm_ready()), reason=swarm_ready() or ""),
]

HOST = "plone.test"
TITLE = "Stack demo"
SECTION = f"""\
name = "{{name}}"
distribution = "classic"
site-title = "{TITLE}"

[tool.plonedev.images]
python = "plonedev-test/python:3.11"
postgres = "plonedev-test/postgres:15"
varnish = "plonedev-test/varnish:7"
node = "plonedev-test/node:22"
"""
EXPECTED = {"ingress": "1/1", "varnish": "1/1", "backend": "2/2", "postgres": "1/1"}


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


def _http(
    port: int,
    method: str,
    path: str,
    *,
    auth: str = "",
    body: dict[str, object] | None = None,
    timeout: float = 30,
) -> Response:
    headers = {"Host": HOST, "Accept": "text/html"}
    data = None
    if path.startswith("/++api++"):
        headers["Accept"] = "application/json"
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
    finally:
        connection.close()


@dataclass
class RequestLoop:
    """Uncached page requests (a new query string each time), one after the other."""

    port: int
    ok: int = 0
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self, limit: float) -> None:
        deadline = time.monotonic() + limit  # bounded, whatever happens to the test
        n = 0
        while not self.stop.is_set() and time.monotonic() < deadline:
            n += 1
            try:
                response = _http(self.port, "GET", f"/?loop={n}")
            except OSError as exc:
                self.failures.append(f"{time.strftime('%X')} #{n}: {exc!r}")
            else:
                if response.status == 200 and TITLE in response.body:
                    self.ok += 1
                else:
                    self.failures.append(f"{time.strftime('%X')} #{n}: HTTP {response.status}")
            time.sleep(0.05)


def _wait_healthy(name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    seen: tuple[dict[str, str], dict[str, list[str]]] = ({}, {})
    while time.monotonic() < deadline:
        replicas, health = services(name), container_health(name)
        seen = (replicas, health)
        running = {svc: len(states) for svc, states in health.items()}
        if (
            replicas == EXPECTED
            and all(state == "healthy" for states in health.values() for state in states)
            and all(running.get(svc) == int(r.split("/")[1]) for svc, r in EXPECTED.items())
        ):
            return
        time.sleep(2)
    raise AssertionError(f"stack {name} not healthy after {timeout:.0f} s: {seen}")


def _wait_updated(name: str, service: str, image: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = docker(
            "service",
            "inspect",
            "--format",
            "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}} "
            "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
            f"{name}_{service}",
            check=False,
        ).strip()
        if state.startswith("rollback"):
            raise AssertionError(f"{service}: the update was rolled back ({state})")
        if state == f"completed {image}":
            return
        time.sleep(2)
    raise AssertionError(f"{service}: update not completed after {timeout:.0f} s ({state!r})")


def _export(project: PlonedevProject, port: int, nginx: str, tag: str, *extra: str) -> None:
    project.run(
        "export-stack", "--host", HOST, "--ingress", "nginx", "--no-ipvs",
        "--http-port", str(port), "--ingress-image", nginx, "--tag", tag,
        "-o", "stack.yml", *extra,
    )  # fmt: skip


def test_build_deploy_and_roll_without_a_failed_request(tmp_path: Path) -> None:
    name = f"stk{secrets.token_hex(3)}"
    project = make_project(tmp_path, SECTION.format(name=name))
    nginx = ensure_nginx_image()
    port = free_port()
    timings: dict[str, float] = {}
    stack_secrets = (f"{name}_admin_password", f"{name}_db_password")
    images = [f"{name}-{role}:{tag}" for role in ("backend", "varnish") for tag in ("t1", "t2")]
    images.append(f"{name}-backend:dev")  # the development image the build starts from

    started = time.monotonic()
    built = project.run("build", "--tag", "t1", timeout=1800)
    timings["build"] = time.monotonic() - started
    assert f"{name}-backend:t1" in built.stdout and f"{name}-varnish:t1" in built.stdout
    _export(project, port, nginx, "t1", "--check", "--create-secrets")
    stack_file = str(project.root / "stack.yml")
    try:
        started = time.monotonic()
        docker("stack", "deploy", "--resolve-image", "never", "-c", stack_file, name)
        _wait_healthy(name, timeout=900)
        timings["deploy to healthy"] = time.monotonic() - started

        # A page, through ingress -> Varnish -> ingress (header route) -> backend.
        page = _http(port, "GET", "/")
        assert page.status == 200, page.body[:500]
        assert f"<title>{TITLE}" in page.body
        assert "varnish" in page.headers.get("via", "").lower()
        assert f'href="http://{HOST}/' in page.body  # rewritten for the public host
        assert _http(port, "GET", "/").headers.get("x-cache") == "HIT"

        # PURGE: refused by the ingress, accepted from the internal network.
        assert _http(port, "PURGE", "/").status == 405
        backend = docker(
            "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={name}_backend"
        ).split()[0]
        purge = (
            "import http.client as h; c = h.HTTPConnection('varnish', 80, timeout=10); "
            f"c.request('PURGE', '/', headers={{'Host': '{HOST}'}}); "
            "print(c.getresponse().status)"
        )
        assert docker("exec", backend, "python", "-c", purge).strip() == "200"

        admin = "admin:" + (project.root / "var" / "stack" / stack_secrets[0]).read_text().strip()
        created = _http(
            port,
            "POST",
            "/++api++/",
            auth=admin,
            body={"@type": "Document", "id": "before-update", "title": "Before the update"},
        )
        assert created.status == 201, created.body[:500]

        # New tags for both images: a redeploy rolls the backend and Varnish.
        for role in ("backend", "varnish"):
            docker("tag", f"{name}-{role}:t1", f"{name}-{role}:t2")
        _export(project, port, nginx, "t2")
        loop = RequestLoop(port)
        worker = threading.Thread(target=loop.run, args=(900,), daemon=True)
        worker.start()
        time.sleep(3)  # a few requests before the update starts
        started = time.monotonic()
        docker("stack", "deploy", "--resolve-image", "never", "-c", stack_file, name)
        _wait_updated(name, "varnish", f"{name}-varnish:t2", timeout=600)
        _wait_updated(name, "backend", f"{name}-backend:t2", timeout=900)
        timings["rolling update"] = time.monotonic() - started
        timings["requests during the update"] = loop.ok
        time.sleep(10)  # the ingress's DNS cache is past the old tasks
        loop.stop.set()
        worker.join(timeout=60)
        assert loop.failures == [], f"{len(loop.failures)} failed: {loop.failures[:10]}"
        assert loop.ok > 100, f"only {loop.ok} requests in {timings['rolling update']:.0f} s"

        after = _http(port, "GET", "/++api++/before-update", auth=admin)
        assert after.status == 200, after.body[:500]
        assert json.loads(after.body)["title"] == "Before the update"
        _wait_healthy(name, timeout=120)
    finally:
        started = time.monotonic()
        remove_stack(name, stack_secrets)
        timings["cleanup"] = time.monotonic() - started
        docker("image", "rm", *images, check=False)
        print("stack test timings:", {k: round(v, 1) for k, v in timings.items()})
