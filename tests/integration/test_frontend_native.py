"""The Volto frontend, natively: `add-frontend`, then `up` runs a real Volto dev server.

One project for the module, one dev-server boot (about 1.8 GB and 20-120 s on 2 cores)
checks everything a user would: the home page rendered on the server holds the site's
title, a document made through the REST API renders with its title, the logs are there,
a change to the frontend add-on shows up without a restart, and a second `up` skips
pnpm. Then `create-addon --frontend` on that running project: one dev-server restart,
and the new add-on's page is rendered on the server.
Needs Node 20/22 and npm on PATH, and the npm registry.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from plonedev.runtime.ports import free_port, port_is_free
from tests.integration.cache_support import cache_counters, check_edit_and_delete_are_fresh
from tests.integration.plone_project import PlonedevProject, make_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),
    pytest.mark.skipif(shutil.which("npm") is None, reason="needs Node.js and npm"),
]

SITE_TITLE = "Frontend Proof Site"
ADDON = "volto-itest"
MARKER = """\
const Marker = () => <p id="itest-marker">{'%s'}</p>;

export default Marker;
"""
INDEX = """\
import Marker from './components/Marker';

const applyConfig = (config) => {
  config.settings.appExtras = [
    ...config.settings.appExtras,
    { match: '', component: Marker },
  ];
  return config;
};

export default applyConfig;
"""


def frontend_port() -> int:
    """A free port whose next one is free too (webpack's dev server takes PORT + 1)."""
    for _ in range(50):
        port = free_port()
        if port < 65535 and port_is_free("127.0.0.1", port + 1):
            return port
    raise RuntimeError("no two free ports in a row")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlonedevProject]:
    project = make_project(
        tmp_path_factory.mktemp("frontend"),
        f'runtime = "native"\nvarnish = true\nsite-title = "{SITE_TITLE}"',
    )
    port = frontend_port()
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"frontend = {port}\n")  # in [ports]
    project.ports["frontend"] = port
    yield project
    project.run("down", check=False)


def _get(project: PlonedevProject, path: str) -> tuple[int, str]:
    url = f"http://127.0.0.1:{project.ports['frontend']}{path}"
    return project.request("GET", url, accept="text/html")


def through_varnish(project: PlonedevProject, url: str) -> tuple[int, str]:
    """Varnish sends nothing to the frontend until its health probe sees it up."""
    deadline = time.monotonic() + 60
    while True:
        status, html = project.request("GET", url, accept="text/html")
        if status == 200 or time.monotonic() > deadline:
            return status, html
        time.sleep(1)


def title_of(html: str) -> str:
    match = re.search(r"<title[^>]*>([^<]*)</title>", html)
    return match.group(1) if match else ""


def _frontend_pid(project: PlonedevProject) -> int:
    payload = json.loads(project.run("status", "--json").stdout)
    states = {s["name"]: s for s in payload["services"]}
    assert states["frontend"]["state"] == "running"
    return int(states["frontend"]["pid"])


def test_up_serves_the_site_through_a_volto_dev_server(project: PlonedevProject) -> None:
    added = project.run("add-frontend")
    assert f"Frontend add-on: {ADDON}" in added.stdout
    frontend = project.root / "frontend"
    addon_src = frontend / "packages" / ADDON / "src"
    # The user's own code, before the first start: a component on every page.
    (addon_src / "components").mkdir()
    (addon_src / "components" / "Marker.jsx").write_text(MARKER % "marker-before")
    (addon_src / "index.js").write_text(INDEX)

    first = project.run("up")
    out = first.stdout
    assert "Frontend installed: Volto 18.33.0" in out
    # The frontend starts only once the backend answers and the site exists.
    assert (
        out.index("backend healthy")
        < out.index("Created the site")
        < out.index("frontend starting")
    )
    assert "frontend healthy" in out
    assert f"http://127.0.0.1:{project.ports['frontend']}" in out  # its URL is printed
    assert (frontend / "pnpm-lock.yaml").is_file()

    # The home page, rendered on the server, holds the title the backend holds.
    status, body = project.request("GET", f"{project.backend}/Plone/++api++")
    assert status == 200
    backend_title = json.loads(body)["title"]
    assert backend_title == SITE_TITLE
    status, html = _get(project, "/")
    assert status == 200
    assert title_of(html) == SITE_TITLE
    assert "marker-before" in html
    # Links and forms point at the frontend, never at the backend's address.
    assert not re.search(
        rf'(href|action|src)="http://127\.0\.0\.1:{project.ports["backend"]}', html
    )

    # A document made through the REST API renders with its title.
    site = f"{project.backend}/Plone"
    document = {"@type": "Document", "id": "proof", "title": "Rendered by Volto"}
    assert project.request("POST", f"{site}/++api++", document, auth=True)[0] == 201
    assert project.request("POST", f"{site}/proof/@workflow/publish", auth=True)[0] == 200
    status, html = _get(project, "/proof")
    assert status == 200
    assert title_of(html) == "Rendered by Volto"

    # Through Varnish, as in production: Volto at "/", ++api++ reaching the site.
    varnish_port = project.ports["varnish"]
    assert re.search(rf"varnish\s+http://127\.0\.0\.1:{varnish_port}/\s*$", out, re.M), out
    varnish = f"http://127.0.0.1:{project.ports['varnish']}"
    status, html = through_varnish(project, f"{varnish}/proof")
    assert status == 200, html[-500:]
    assert title_of(html) == "Rendered by Volto"
    status, body = project.request("GET", f"{varnish}/++api++")
    assert status == 200
    assert json.loads(body)["title"] == SITE_TITLE

    logs = project.run("logs", "frontend", "--tail", "400").stdout
    assert f"Volto started at 127.0.0.1:{project.ports['frontend']}" in logs

    # A change to the add-on's source is served without a restart: Volto reloads it.
    pid = _frontend_pid(project)
    (addon_src / "components" / "Marker.jsx").write_text(MARKER % "marker-after")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        html = _get(project, "/")[1]
        if "marker-after" in html:
            break
        time.sleep(1)
    assert "marker-after" in html, project.run("logs", "frontend", "--tail", "30").stdout
    assert _frontend_pid(project) == pid

    # Nothing changed: the second `up` skips pnpm and leaves the dev server running.
    second = project.run("up")
    assert "Frontend up to date (Volto 18.33.0)" in second.stdout
    assert "frontend already running" in second.stdout
    assert _frontend_pid(project) == pid

    doctor = json.loads(project.run("doctor", "--json", "--runtime", "native", check=False).stdout)
    checks = {c["name"]: c for c in doctor["checks"]}
    for name in ("node", "pnpm", "volto", "node_modules"):
        assert checks[name]["ok"], checks[name]
    assert "18.33.0" in checks["volto"]["detail"]


def check_volto_pages_are_purged(project: PlonedevProject) -> None:
    """The page Volto renders on the server and its ++api++ JSON, both cached by Varnish
    at the public path: an edit over the REST API is on the next read, a delete 404s."""
    varnish = f"http://127.0.0.1:{project.ports['varnish']}"
    through_varnish(project, f"{varnish}/")  # Varnish's probe sees the frontend up
    purges = cache_counters(project)["purges"]
    check_edit_and_delete_are_fresh(
        project,
        f"{project.backend}/Plone",
        f"{varnish}/cached-doc",
        f"{varnish}/++api++/cached-doc",
    )
    after = cache_counters(project)["purges"]
    assert isinstance(purges, int) and isinstance(after, int) and after > purges


def test_an_edit_is_on_the_next_page_volto_renders_through_varnish(
    project: PlonedevProject,
) -> None:
    """After the test above (its servers still run); alone, `up` starts the project."""
    project.run("up")
    check_volto_pages_are_purged(project)


def test_a_restart_compiles_from_the_cache_and_serves_what_changed_while_stopped(
    project: PlonedevProject,
) -> None:
    """webpack's persistent cache in .plonedev/ outlives the dev server; a change made
    while it was stopped is on the first page after the next `up` (the cache is never
    stale). Its speed is bench/frontend_first_page's."""
    project.run("up")
    cache = project.root / ".plonedev" / "webpack-cache"
    # webpack stores the cache once the compiler is idle; both bundles, client and server.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not _cache_stored(cache):
        time.sleep(1)
    assert _cache_stored(cache), sorted(p.name for p in cache.rglob("*"))[:20]
    project.run("down")
    marker = project.root / "frontend" / "packages" / ADDON / "src" / "components" / "Marker.jsx"
    marker.write_text(MARKER % "marker-while-stopped")
    project.run("up")
    status, html = _get(project, "/")
    assert status == 200
    assert "marker-while-stopped" in html
    assert title_of(html) == SITE_TITLE


def _cache_stored(cache: Path) -> bool:
    return all((cache / name / "index.pack").is_file() for name in ("web-dev", "node-dev"))


def created_frontend_addon(project: PlonedevProject, name: str) -> str:
    """`create-addon --frontend NAME` on the running project (Compose too); the HTML of
    the add-on's page, rendered on the server, once the registrations are checked."""
    started = time.monotonic()
    done = project.run("create-addon", "--frontend", name)
    seconds = time.monotonic() - started
    print(f"\ncreate-addon --frontend {name}: {seconds:.1f} s until it returned")
    print(done.stdout.strip().splitlines()[-1])  # its steps' times
    assert f"restarted with it; its page shows 'Hello from {name}'" in done.stdout, done.stdout
    # A browser's request: the page rendered on the server, in the site's layout.
    status, html = _get(project, f"/hello-{name}")
    assert status == 200
    assert f"Hello from {name}</h1>" in html
    assert f'id="page-{name}"' in html
    frontend = project.root / "frontend"
    manifest = json.loads((frontend / "package.json").read_text())
    assert manifest["dependencies"][name] == "workspace:*"
    assert f"'{ADDON}', '{name}'" in (frontend / "volto.config.js").read_text()
    assert name in (frontend / "pnpm-lock.yaml").read_text()  # pnpm linked it in
    return html


def test_create_addon_frontend_is_rendered_by_the_running_dev_server(
    project: PlonedevProject,
) -> None:
    """After the test above (its dev server still runs); alone, `up` starts the project."""
    project.run("up")
    pid = _frontend_pid(project)
    name = "volto-hello"
    html = created_frontend_addon(project, name)
    assert _frontend_pid(project) != pid
    assert 'id="itest-marker"' in html  # the first add-on's component: both add-ons load
    frontend = project.root / "frontend"
    link = frontend / "node_modules" / name
    assert link.resolve() == (frontend / "packages" / name).resolve()

    # The same name again: one line, nothing changed, the dev server left alone.
    before = (frontend / "package.json").read_bytes(), (frontend / "volto.config.js").read_bytes()
    again = project.run("create-addon", "--frontend", name, check=False)
    assert again.returncode != 0
    assert f"frontend/packages/{name} exists already" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1
    after = (frontend / "package.json").read_bytes(), (frontend / "volto.config.js").read_bytes()
    assert after == before
    assert _frontend_pid(project) != pid
