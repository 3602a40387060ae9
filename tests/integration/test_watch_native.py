"""`plonedev watch` against a real Plone (native runtime): each change reaches the site.

One project for the module: `plonedev up` once, then one watcher subprocess that every
test talks to by editing files and reading its output, as a developer would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plonedev.runtime.ports import free_port
from tests.integration.plone_project import PlonedevProject, make_project
from tests.integration.watch_support import Watcher, add_extra_view, next_second, save

pytestmark = pytest.mark.slow

HAS_VARNISH = shutil.which("varnishd") is not None or Path("/usr/sbin/varnishd").exists()
PKG = Path("sources/plonedev-demo/src/plonedev_demo")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlonedevProject]:
    section = 'runtime = "native"\n' + ("varnish = true\n" if HAS_VARNISH else "")
    project = make_project(tmp_path_factory.mktemp("watch"), section)
    project.run("up")
    yield project
    project.run("down", check=False)


@pytest.fixture(scope="module")
def watcher(project: PlonedevProject) -> Iterator[Watcher]:
    watcher = Watcher(project, "watch")
    watcher.expect(r"^Watching sources/")
    yield watcher
    if watcher.process.poll() is None:
        watcher.interrupt()


def _hello(project: PlonedevProject) -> tuple[int, str]:
    return project.request("GET", f"{project.backend}/Plone/@@demo-hello", accept="text/plain")


def _backend_pid(project: PlonedevProject) -> int | None:
    payload = json.loads(project.run("status", "--json").stdout)
    pids: dict[str, int | None] = {s["name"]: s["pid"] for s in payload["services"]}
    return pids["backend"]


def _eventually(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_a_python_change_is_reloaded_in_place(project: PlonedevProject, watcher: Watcher) -> None:
    pid = _backend_pid(project)
    greeting = project.root / PKG / "greeting.py"
    next_second()
    save(greeting, 'GREETING = "reloaded in place"\n')
    line = watcher.expect(r"^\S+ . backend: ")
    assert re.search(r"backend: reloaded 1 module in [\d.]+ s — .*greeting\.py$", line), line
    assert _hello(project) == (200, "Hello from plonedev-demo: reloaded in place")
    assert _backend_pid(project) == pid  # no restart


def test_a_new_module_and_zcml_restart_the_backend(
    project: PlonedevProject, watcher: Watcher
) -> None:
    pid = _backend_pid(project)
    index = project.root / "var" / "filestorage" / "Data.fs.index"
    saved_before = index.stat().st_mtime_ns if index.exists() else 0
    add_extra_view(project.root / PKG)
    line = watcher.expect(r"^\S+ . backend: ")
    assert re.search(r"backend: restarted in [\d.]+ s — .*configure\.zcml", line), line
    # The restart does not wait for the old Zope's exit, but for its clean close: the
    # FileStorage index is saved.
    assert index.stat().st_mtime_ns > saved_before
    status, body = project.request(
        "GET", f"{project.backend}/Plone/@@demo-extra", accept="text/plain"
    )
    assert (status, body) == (200, "extra view")
    assert _backend_pid(project) != pid


def test_a_syntax_error_is_reported_and_the_fix_recovers(
    project: PlonedevProject, watcher: Watcher
) -> None:
    greeting = project.root / PKG / "greeting.py"
    next_second()
    save(greeting, 'GREETING = "broken\n')
    line = watcher.expect(r"^\S+ . backend: ")
    assert "backend: failed to start; it starts again on the next change" in line
    # The end of the traceback says what and where.
    watcher.expect(r'greeting\.py", line 1', timeout=5)
    assert "SyntaxError: unterminated string literal" in watcher.output_since("failed to start")
    assert _hello(project)[0] == 0  # the backend is down
    assert watcher.process.poll() is None  # the watcher is not

    next_second()
    save(greeting, 'GREETING = "fixed"\n')
    line = watcher.expect(r"^\S+ . backend: ")
    assert re.search(r"backend: started again in [\d.]+ s — .*greeting\.py$", line), line
    assert _hello(project) == (200, "Hello from plonedev-demo: fixed")


def test_500_files_at_once_are_one_restart(project: PlonedevProject, watcher: Watcher) -> None:
    generated = project.root / PKG / "generated"
    generated.mkdir()
    for i in range(500):
        (generated / f"m{i}.py").write_text(f"VALUE = {i}\n")
    line = watcher.expect(r"^\S+ . backend: ")
    assert re.search(r"backend: restarted in [\d.]+ s — .*generated", line), line
    time.sleep(1.5)
    assert not [line for line in _drain(watcher) if "backend:" in line]
    assert _hello(project)[0] == 200

    shutil.rmtree(generated)
    line = watcher.expect(r"^\S+ . backend: ")
    assert re.search(r"backend: restarted in [\d.]+ s — .*generated/m\d+\.py", line), line
    time.sleep(1.5)
    assert not [line for line in _drain(watcher) if "backend:" in line]


def test_new_metadata_in_a_source_reinstalls_then_restarts(
    project: PlonedevProject, watcher: Watcher
) -> None:
    metadata = project.root / "sources" / "plonedev-demo" / "pyproject.toml"
    save(metadata, metadata.read_text().replace('version = "1.0.0"', 'version = "1.0.1"'))
    line = watcher.expect(r"^\S+ . backend: ", timeout=300)
    assert re.search(
        r"backend: reinstalled \(requirements changed, [\d.]+ s\), restarted in [\d.]+ s — "
        r"sources/plonedev-demo/pyproject\.toml$",
        line,
    ), line
    venv_python = project.root / ".plonedev" / "venv" / "bin" / "python"
    version = subprocess.run(
        [
            venv_python,
            "-c",
            "from importlib.metadata import version; print(version('plonedev-demo'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert version == "1.0.1"
    assert _hello(project)[0] == 200


def test_editor_noise_does_nothing(project: PlonedevProject, watcher: Watcher) -> None:
    time.sleep(0.5)
    _drain(watcher)
    pkg = project.root / PKG
    (pkg / ".greeting.py.swp").write_text("swap")
    (pkg / "4913").write_text("")
    (pkg / "4913").unlink()
    (pkg / "README.txt").write_text("notes")
    (project.root / ".plonedev" / "logs" / "noise.log").write_text("x")
    time.sleep(1.5)
    assert watcher.lines.empty(), watcher.lines.get()


def test_mx_ini_syncs_the_sources_and_installs_only_when_needed(
    project: PlonedevProject, watcher: Watcher
) -> None:
    mx_ini = project.root / "mx.ini"
    save(mx_ini, mx_ini.read_text() + "; a comment changes nothing that is installed\n")
    line = watcher.expect(r"^\S+ . backend: ")
    assert "backend: synced sources, the backend environment is up to date: no restart" in line


def test_a_broken_config_is_reported_and_changes_nothing(
    project: PlonedevProject, watcher: Watcher
) -> None:
    pyproject = project.root / "pyproject.toml"
    good = pyproject.read_text()
    save(pyproject, good.replace("[tool.plonedev]", "[tool.plonedev]\nstorage = 'zoe'"))
    line = watcher.expect(r"^\S+ . project: ")
    assert "project: configuration not applied" in line
    assert "tool.plonedev.storage" in line
    assert _hello(project)[0] == 200
    save(pyproject, good)
    line = watcher.expect(r"^\S+ . project: ")
    assert "project: configuration applied, nothing to restart" in line


@pytest.mark.skipif(not HAS_VARNISH, reason="needs varnishd")
def test_a_new_backend_port_restarts_the_backend_and_reloads_the_vcl(
    project: PlonedevProject, watcher: Watcher
) -> None:
    front = f"http://127.0.0.1:{project.ports['varnish']}/Plone/@@demo-hello"
    _x_cache(front)
    assert _x_cache(front) == "HIT"

    pyproject = project.root / "pyproject.toml"
    new_port = free_port()
    old_port = project.ports["backend"]
    save(pyproject, pyproject.read_text().replace(f"backend = {old_port}", f"backend = {new_port}"))
    line = watcher.expect(r"^\S+ . project: ")
    assert re.search(r"project: restarted backend; reloaded the VCL \([\d.]+ s\) in [\d.]+ s", line)
    project.ports["backend"] = new_port
    assert _hello(project)[0] == 200
    # Varnish kept running, and its cache: the page cached before is still a hit.
    assert _x_cache(front) == "HIT"
    # And it now talks to the backend on its new port.
    status, body = project.request(
        "GET",
        f"http://127.0.0.1:{project.ports['varnish']}/Plone/@@demo-hello?fresh=1",
        accept="text/plain",
    )
    assert status == 200
    assert body.startswith("Hello from plonedev-demo")


def test_ctrl_c_stops_watching_and_leaves_the_services_running(
    project: PlonedevProject, watcher: Watcher
) -> None:
    assert watcher.interrupt() == 0
    watcher.expect(r"^Stopped watching\. The services keep running", timeout=5)
    assert _hello(project)[0] == 200


@pytest.mark.skipif(not HAS_VARNISH, reason="needs varnishd")
def test_up_after_the_watcher_reloaded_the_vcl_keeps_varnish_and_its_cache(
    project: PlonedevProject,
) -> None:
    # Varnish runs the VCL the watcher reloaded: `up` has nothing to restart there.
    front = f"http://127.0.0.1:{project.ports['varnish']}/Plone/@@demo-hello"
    _x_cache(front)
    project.run("up")
    assert _x_cache(front) == "HIT"


def test_up_watch_brings_the_project_up_then_watches(project: PlonedevProject) -> None:
    watcher = Watcher(project, "up", "--watch")
    watcher.expect(r"Plone is up", timeout=300)
    watcher.expect(r"^Watching sources/")
    greeting = project.root / PKG / "greeting.py"
    next_second()
    save(greeting, 'GREETING = "from up --watch"\n')
    watcher.expect(r"backend: reloaded 1 module")
    assert _hello(project) == (200, "Hello from plonedev-demo: from up --watch")
    assert watcher.interrupt() == 0
    assert _hello(project)[0] == 200


def _x_cache(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(urllib.request.Request(url, headers={"Accept": "text/plain"})) as response:
        return str(response.headers["X-Cache"])


def _drain(watcher: Watcher) -> list[str]:
    lines = []
    while not watcher.lines.empty():
        lines.append(watcher.lines.get())
    return lines
