"""`plonedev deploy` and `plonedev stack` on this machine's single-node Swarm.

One test, in the order a team meets them (a deploy costs minutes here): a Classic UI
project (no frontend: cheaper) built with `plonedev build`, then

1. a first `plonedev deploy` converges (every service healthy) and the site answers;
2. a second with new tags rolls, while a request loop asks for uncached pages: no
   request fails;
3. a third whose backend image fails its health check: plonedev rolls back (the
   backend, and Varnish, which had rolled to the new tag already), the old version
   keeps serving (0 failed requests) and the command exits 1 naming the backend;
4. `plonedev stack scale backend=3`, then `stack status` shows 3/3;
5. caching: a published document read twice through the ingress (the second a hit);
   Varnish scaled to 2, then on each Varnish task its Classic UI page and its ++api++
   JSON read twice (a hit), edited and deleted over the REST API through the ingress:
   each task shows the new title, then a 404, within a second (Plone purged them all).

The nginx ingress with --no-ipvs, as in test_stack_deploy.py (this kernel has no IPVS).
The stack, its volumes, secrets and images are removed after.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from pathlib import Path

import pytest

from plonedev.runtime.ports import free_port
from tests.integration.cache_support import FRESH_WITHIN
from tests.integration.plone_project import PlonedevProject, make_project
from tests.integration.stack_support import (
    HOST,
    Running,
    build_stand_ins,
    docker,
    ensure_nginx_image,
    plonedev_deploy,
    remove_stack,
    services,
    start_page_loop,
    swarm_ready,
)
from tests.integration.stack_support import http_request as _http

pytestmark = [
    pytest.mark.slow,
    pytest.mark.docker,
    pytest.mark.timeout(3600),
    pytest.mark.skipif(bool(swarm_ready()), reason=swarm_ready() or ""),
]

TITLE = "Deploy demo"
SECTION = f"""\
name = "{{name}}"
site-title = "{TITLE}"

[tool.plonedev.images]
python = "plonedev-test/python:3.11"
postgres = "plonedev-test/postgres:15"
varnish = "plonedev-test/varnish:7"
"""
EXPECTED = {"ingress": "1/1", "varnish": "1/1", "backend": "2/2", "postgres": "1/1"}
# A backend whose health check fails: Zope runs, but the probe reports it unhealthy.
BROKEN_BACKEND = """\
FROM {base}
USER root
RUN printf 'raise SystemExit(1)\\n' > /app/bin/healthcheck.py
USER plone
"""


def _start_loop(port: int) -> Running:
    return start_page_loop(port, TITLE)


def _image(name: str, service: str) -> str:
    return docker(
        "service",
        "inspect",
        "--format",
        "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
        f"{name}_{service}",
    ).strip()


def test_deploy_rolls_forward_rolls_back_and_scales(tmp_path: Path) -> None:
    name = f"dpl{secrets.token_hex(3)}"
    build_stand_ins("python", "postgres", "varnish")
    nginx = ensure_nginx_image()
    project = make_project(tmp_path, SECTION.format(name=name))
    port = free_port()
    timings: dict[str, float] = {}
    stack_secrets = (f"{name}_admin_password", f"{name}_db_password")
    tags = ("t1", "t2", "t3")
    images = [f"{name}-{role}:{tag}" for role in ("backend", "varnish") for tag in tags]
    images.append(f"{name}-backend:dev")

    started = time.monotonic()
    project.run("build", "--tag", "t1", timeout=2700)
    timings["build"] = time.monotonic() - started
    try:
        # 1. The first deploy: secrets created, every service healthy, the site answers.
        started = time.monotonic()
        first = plonedev_deploy(project, port, nginx, "t1")
        timings["first deploy"] = time.monotonic() - started
        assert "Deployed" in first.stdout, first.stdout
        assert services(name) == EXPECTED
        page = _http(port, "GET", "/")
        assert page.status == 200, page.body[:500]
        assert TITLE in page.body
        assert "varnish" in page.headers.get("via", "").lower()

        # 2. New tags: the backend and Varnish roll, no request fails.
        for role in ("backend", "varnish"):
            docker("tag", f"{name}-{role}:t1", f"{name}-{role}:t2")
        running = _start_loop(port)
        started = time.monotonic()
        second = plonedev_deploy(project, port, nginx, "t2")
        timings["rolling deploy"] = time.monotonic() - started
        loop = running.finish()
        timings["requests during it"] = loop.ok
        assert "backend" in second.stdout and "varnish" in second.stdout, second.stdout
        assert loop.failures == [], f"{len(loop.failures)} failed: {loop.failures[:10]}"
        assert loop.ok > 50, loop.ok
        assert _image(name, "backend") == f"{name}-backend:t2"
        assert _image(name, "varnish") == f"{name}-varnish:t2"

        # 3. A backend that never becomes healthy: rolled back, the old one keeps serving.
        docker(
            "buildx", "build", "-t", f"{name}-backend:t3", "-",
            input=BROKEN_BACKEND.format(base=f"{name}-backend:t2"), timeout=600,
        )  # fmt: skip
        docker("tag", f"{name}-varnish:t2", f"{name}-varnish:t3")
        running = _start_loop(port)
        started = time.monotonic()
        third = plonedev_deploy(project, port, nginx, "t3", check=False)
        timings["failed deploy and rollback"] = time.monotonic() - started
        loop = running.finish()
        timings["requests during it and the rollback"] = loop.ok
        assert third.returncode == 1, third.stdout + third.stderr
        error = third.stderr.splitlines()[-1]
        assert "backend did not become healthy" in error, third.stderr
        assert "rolled back" in third.stderr, third.stderr
        assert loop.failures == [], f"{len(loop.failures)} failed: {loop.failures[:10]}"
        assert loop.ok > 50, loop.ok
        assert _image(name, "backend") == f"{name}-backend:t2"
        assert _image(name, "varnish") == f"{name}-varnish:t2"
        assert services(name) == EXPECTED

        # 4. Scale, then the status shows it.
        started = time.monotonic()
        project.run("stack", "scale", "backend=3", timeout=900)
        timings["scale to 3"] = time.monotonic() - started
        status = project.run("stack", "status").stdout
        backend_row = next(line for line in status.splitlines() if "backend" in line)
        assert "3/3" in backend_row, status
        assert services(name)["backend"] == "3/3"

        # 5. Caching, on every Varnish task.
        started = time.monotonic()
        _check_every_varnish_is_purged(project, name, port)
        timings["caching on 2 Varnish tasks"] = time.monotonic() - started
    finally:
        started = time.monotonic()
        remove_stack(name, stack_secrets)
        timings["cleanup"] = time.monotonic() - started
        docker("image", "rm", *images, check=False)
        print("deploy test timings:", {k: round(v, 1) for k, v in timings.items()})


def _check_every_varnish_is_purged(project: PlonedevProject, name: str, port: int) -> None:
    password = (project.root / "var" / "stack" / f"{name}_admin_password").read_text().strip()
    admin = f"admin:{password}"
    document = {"@type": "Document", "id": "cached-doc", "title": "First title"}
    assert _http(port, "POST", "/++api++/", auth=admin, body=document).status == 201
    published = _http(port, "POST", "/++api++/cached-doc/@workflow/publish", auth=admin)
    assert published.status == 200, published.body[:500]
    first, second = (_http(port, "GET", "/cached-doc") for _ in range(2))
    assert (first.status, TITLE in first.body) == (200, True), first.body[:500]
    assert second.headers.get("x-cache") == "HIT", second.headers

    project.run("stack", "scale", "varnish=2", timeout=900)
    backend = docker(
        "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={name}_backend"
    ).split()[0]
    probe = (Path(__file__).parent / "stack_cache_probe.py").read_text()
    out = docker("exec", "-i", backend, "python", "-", HOST, admin, "cached-doc", input=probe)
    seen = json.loads(out)
    assert len(seen["tasks"]) == 2, seen
    for page, (one, two) in seen["reads"].items():
        assert (one[0], one[2], two[0], two[1]) == (200, "First title", 200, "HIT"), (page, seen)
    assert (seen["edited"], seen["deleted"]) == (204, 204), seen
    for change in ("fresh", "gone"):
        for page, (_, last_stale) in seen[change].items():
            assert last_stale is None or last_stale < FRESH_WITHIN, (change, page, seen)
    print("caching probe:", json.dumps(seen["fresh"]), json.dumps(seen["gone"]))


def test_zeo_backends_serve_blobs_from_their_own_cache(tmp_path: Path) -> None:
    """With ZEO, the backends share no blob folder (each keeps a cache, the blobs come
    over ZEO), so they may run on any node: a file uploaded through one is served by
    every replica, one started after the upload included."""
    name = f"dpz{secrets.token_hex(3)}"
    build_stand_ins("python", "postgres", "varnish")
    nginx = ensure_nginx_image()
    section = SECTION.replace(
        f'site-title = "{TITLE}"\n', f'site-title = "{TITLE}"\nstorage = "zeo"\n'
    )
    project = make_project(tmp_path, section.format(name=name))
    port = free_port()
    images = [f"{name}-backend:t1", f"{name}-varnish:t1", f"{name}-backend:dev"]
    payload = secrets.token_bytes(300_000)
    project.run("build", "--tag", "t1", timeout=2700)
    try:
        plonedev_deploy(project, port, nginx, "t1")
        backend = json.loads(docker("service", "inspect", f"{name}_backend"))[0]
        template = backend["Spec"]["TaskTemplate"]
        assert not template.get("Placement", {}).get("Constraints")  # any node
        assert not template["ContainerSpec"].get("Mounts")  # no blob folder
        password = (project.root / "var" / "stack" / f"{name}_admin_password").read_text().strip()
        upload = {
            "@type": "File", "id": "blob-file", "title": "A blob",
            "file": {
                "data": base64.b64encode(payload).decode(), "encoding": "base64",
                "filename": "blob.bin", "content-type": "application/octet-stream",
            },
        }  # fmt: skip
        created = _http(port, "POST", "/++api++/", auth=f"admin:{password}", body=upload)
        assert created.status == 201, created.body[:500]
        project.run("stack", "scale", "backend=3", timeout=900)
        tasks = docker(
            "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={name}_backend"
        ).split()
        assert len(tasks) == 3
        fetch = (
            "import base64, hashlib, sys, urllib.request as u; "
            "r = u.Request('http://127.0.0.1:8080/Plone/blob-file/@@download/file', "
            "headers={'Authorization': 'Basic ' + "
            "base64.b64encode(sys.argv[1].encode()).decode()}); "
            "print(hashlib.sha256(u.urlopen(r, timeout=60).read()).hexdigest())"
        )
        for task in tasks:  # each replica, the one started after the upload too
            digest = docker("exec", task, "python", "-c", fetch, f"admin:{password}").strip()
            assert digest == hashlib.sha256(payload).hexdigest(), task
    finally:
        remove_stack(name, (f"{name}_admin_password",))
        docker("image", "rm", *images, check=False)
