"""From `plonedev build` to a running Swarm stack with Volto, and a rolling update nobody notices.

One test, several checks (a deploy costs minutes on a 2-core machine, the Volto
production build more): a project with a Volto frontend (scaffolded by `add-frontend`,
its add-on putting a marker on every page, as in the frontend tests), the three images
from `plonedev build` (backend, frontend, Varnish), the nginx variant from `plonedev
export-stack --no-ipvs` (this kernel has no IPVS: ports on the node, DNS round-robin)
deployed on the single-node Swarm, every service healthy. Then, through ingress ->
Varnish -> ingress (header routes): a page rendered on the server by the frontend, with
the site's title and the add-on's marker; ++api++ answered by the backend for the public
host; PURGE refused from outside and accepted from the internal network; a document
created and published through ++api++, rendered with its title. Then a redeploy with new
image tags (the backend, the frontend and Varnish roll, start-first) while a request loop
on loopback keeps asking for uncached pages: no request fails, and the document is still
there after it. The Classic UI shape (no frontend) differs only in the ingress's routes,
checked in tests/unit/render/test_stack.py and tests/integration/test_stack_config.py.
The stack, its volumes, secrets and images are removed after.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from functools import partial
from pathlib import Path

import pytest
import yaml

from plonedev.runtime.ports import free_port
from tests.integration.cache_support import Read, check_second_read_is_a_hit, fresh_within
from tests.integration.plone_project import PlonedevProject, make_project
from tests.integration.stack_support import (
    HOST,
    RequestLoop,
    build_stand_ins,
    container_health,
    docker,
    ensure_nginx_image,
    remove_stack,
    services,
    swarm_ready,
)
from tests.integration.stack_support import http_request as _http
from tests.integration.test_frontend_native import ADDON, INDEX, MARKER, title_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.docker,
    pytest.mark.timeout(3600),
    # The stand-in images are built by the test itself (build_stand_ins).
    pytest.mark.skipif(bool(swarm_ready()), reason=swarm_ready() or ""),
]

TITLE = "Stack demo"
DOCUMENT = "Before the update"
SECTION = f"""\
name = "{{name}}"
site-title = "{TITLE}"

[tool.plonedev.images]
python = "plonedev-test/python:3.11"
postgres = "plonedev-test/postgres:15"
varnish = "plonedev-test/varnish:7"
node = "plonedev-test/node:22"
"""
EXPECTED = {
    "ingress": "1/1",
    "varnish": "1/1",
    "frontend": "2/2",
    "backend": "2/2",
    "postgres": "1/1",
}
ROLES = ("backend", "frontend", "varnish")  # the images plonedev builds, all rolled
# Uncached pages the request loop alternates between, and the title each must show.
PAGES = (("/", TITLE), ("/before-update", DOCUMENT))


def _page_check(port: int) -> RequestLoop:
    """Uncached pages, rendered by the frontend from the backend's content, alternately."""

    def ask(n: int) -> str:
        path, title = PAGES[n % len(PAGES)]
        response = _http(port, "GET", f"{path}?loop={n}")
        if response.status == 200 and title_of(response.body) == title:
            return ""
        return f"{path} HTTP {response.status} {title_of(response.body)!r}"

    return RequestLoop(ask)


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


def _read(port: int, path: str) -> Read:
    answer = _http(port, "GET", path)
    return Read(answer.status, answer.headers.get("x-cache", ""), answer.body)


def _check_an_edit_is_on_the_next_anonymous_read(port: int, admin: str) -> None:
    """Production caching (Plone purges each page by its path): the page Volto renders
    and its ++api++ JSON, both cached by Varnish, show an edit made through the ingress
    on the next anonymous read, and a deleted document is a 404 at once."""
    document = {"@type": "Document", "id": "cached-doc", "title": "First title"}
    assert _http(port, "POST", "/++api++/", auth=admin, body=document).status == 201
    published = _http(port, "POST", "/++api++/cached-doc/@workflow/publish", auth=admin)
    assert published.status == 200, published.body[:500]
    pages = ("/cached-doc", "/++api++/cached-doc")
    for path in pages:
        check_second_read_is_a_hit(partial(_read, port, path), "First title", path)

    edit = {"title": "Second title"}
    assert _http(port, "PATCH", "/++api++/cached-doc", auth=admin, body=edit).status == 204
    for path in pages:
        fresh_within(partial(_read, port, path), "Second title", path)
    assert _read(port, "/no-such-doc").status == 404  # its first render is slow, not stale
    assert _http(port, "DELETE", "/++api++/cached-doc", auth=admin).status == 204
    fresh_within(partial(_read, port, "/cached-doc"), 404, "/cached-doc")


def _volto_project(tmp_path: Path, name: str) -> PlonedevProject:
    """A project with a Volto frontend whose add-on puts a marker on every page."""
    project = make_project(tmp_path, SECTION.format(name=name))
    project.run("add-frontend", "--addon", ADDON)
    addon_src = project.root / "frontend" / "packages" / ADDON / "src"
    (addon_src / "components").mkdir()
    (addon_src / "components" / "Marker.jsx").write_text(MARKER % "marker-production")
    (addon_src / "index.js").write_text(INDEX)
    return project


def test_build_deploy_and_roll_volto_without_a_failed_request(tmp_path: Path) -> None:
    name = f"stk{secrets.token_hex(3)}"
    build_stand_ins("python", "postgres", "varnish", "node")
    nginx = ensure_nginx_image()
    project = _volto_project(tmp_path, name)
    port = free_port()
    timings: dict[str, float] = {}
    stack_secrets = (f"{name}_admin_password", f"{name}_db_password")
    images = [f"{name}-{role}:{tag}" for role in ROLES for tag in ("t1", "t2")]
    images.append(f"{name}-backend:dev")  # the development image the build starts from

    started = time.monotonic()
    built = project.run("build", "--tag", "t1", timeout=2700)
    timings["build"] = time.monotonic() - started
    for role in ROLES:
        assert f"{name}-{role}:t1" in built.stdout, built.stdout
    _export(project, port, nginx, "t1", "--check", "--create-secrets")
    stack_file = project.root / "stack.yml"
    frontend_env = yaml.safe_load(stack_file.read_text())["services"]["frontend"]["environment"]
    assert frontend_env["RAZZLE_API_PATH"] == f"http://{HOST}"
    assert frontend_env["RAZZLE_INTERNAL_API_PATH"] == "http://backend:8080/Plone"
    try:
        started = time.monotonic()
        docker("stack", "deploy", "--resolve-image", "never", "-c", str(stack_file), name)
        _wait_healthy(name, timeout=900)
        timings["deploy to healthy"] = time.monotonic() - started

        # A page rendered on the server by Volto: ingress -> Varnish -> ingress -> frontend,
        # which asked the backend for the site (its title) and runs the project's add-on.
        page = _http(port, "GET", "/")
        # Swarm's health is each task's own; Varnish sees a backend healthy only after its
        # probe's window: a first page may be its 503 for a few seconds under load.
        deadline = time.monotonic() + 60
        while page.status == 503 and time.monotonic() < deadline:
            time.sleep(2)
            page = _http(port, "GET", "/")
        assert page.status == 200, page.body[:500]
        assert title_of(page.body) == TITLE
        assert "marker-production" in page.body
        assert "varnish" in page.headers.get("via", "").lower()
        # The browser's API: ++api++ through the same path, answered by the backend for
        # the public host (the virtual host monster's rewrite).
        api = _http(port, "GET", "/++api++/")
        assert api.status == 200, api.body[:500]
        assert json.loads(api.body)["title"] == TITLE
        assert json.loads(api.body)["@id"] == f"http://{HOST}"

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

        # A document made through ++api++ by the ingress, published, rendered by Volto.
        admin = "admin:" + (project.root / "var" / "stack" / stack_secrets[0]).read_text().strip()
        document = {"@type": "Document", "id": "before-update", "title": DOCUMENT}
        created = _http(port, "POST", "/++api++/", auth=admin, body=document)
        assert created.status == 201, created.body[:500]
        published = _http(port, "POST", "/++api++/before-update/@workflow/publish", auth=admin)
        assert published.status == 200, published.body[:500]
        page = _http(port, "GET", "/before-update")
        assert (page.status, title_of(page.body)) == (200, DOCUMENT), page.body[:500]
        _check_an_edit_is_on_the_next_anonymous_read(port, admin)

        # New tags for every image: a redeploy rolls the backend, the frontend and Varnish.
        for role in ROLES:
            docker("tag", f"{name}-{role}:t1", f"{name}-{role}:t2")
        _export(project, port, nginx, "t2")
        loop = _page_check(port)
        worker = threading.Thread(target=loop.run, args=(1200,), daemon=True)
        worker.start()
        time.sleep(3)  # a few requests before the update starts
        started = time.monotonic()
        docker("stack", "deploy", "--resolve-image", "never", "-c", str(stack_file), name)
        for role in ("varnish", "frontend", "backend"):
            _wait_updated(name, role, f"{name}-{role}:t2", timeout=900)
        timings["rolling update"] = time.monotonic() - started
        timings["requests during the update"] = loop.ok
        time.sleep(10)  # the ingress's DNS cache is past the old tasks
        loop.stop.set()
        worker.join(timeout=60)
        assert loop.failures == [], f"{len(loop.failures)} failed: {loop.failures[:10]}"
        assert loop.ok > 100, f"only {loop.ok} requests in {timings['rolling update']:.0f} s"

        after = _http(port, "GET", "/++api++/before-update", auth=admin)
        assert after.status == 200, after.body[:500]
        assert json.loads(after.body)["title"] == DOCUMENT
        page = _http(port, "GET", "/before-update?after=1")
        assert (page.status, title_of(page.body)) == (200, DOCUMENT)
        _wait_healthy(name, timeout=120)
    finally:
        started = time.monotonic()
        remove_stack(name, stack_secrets)
        timings["cleanup"] = time.monotonic() - started
        docker("image", "rm", *images, check=False)
        print("stack test timings:", {k: round(v, 1) for k, v in timings.items()})
