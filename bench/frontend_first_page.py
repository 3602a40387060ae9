"""Time to the first page Volto renders, and the frontend's memory, native or Compose.

    .venv/bin/python bench/frontend_first_page.py [--runtime native|docker] [--rounds 2]

A copy of the repository's demo project (free ports) gets a frontend (`plonedev
add-frontend`), then:

- first: `plonedev up` from nothing installed (backend environment or image, Volto
  from the npm registry, pnpm install with the machine's pnpm store as it is, the dev
  server's first compile) until GET / on the frontend is 200 and holds the site title;
- warm (each round): `plonedev down`, then the same with everything installed: the
  backend's start, the site check and the dev server's compile, from webpack's
  persistent cache (.plonedev/webpack-cache) after the first run;
- memory: the frontend's resident memory once the page was served (native: the RSS of
  every process in its session; Docker: the container's usage from `docker stats`),
  after the first and after the last warm `up`;
- a second `up` with everything running: the pnpm step is skipped;
- baseline (native): a bare `razzle start` (what Volto's `pnpm start` runs) of the same
  project, with the same environment but no persistent cache, on other ports while the
  backend runs, until its first page: the warm figures' ratio is against it.

The Docker runtime uses the stand-in images of tests/images (build them first).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from plonedev.config import load_config  # noqa: E402
from plonedev.frontend.layout import frontend_paths  # noqa: E402
from plonedev.frontend.service import dev_server_env  # noqa: E402
from plonedev.runtime.ports import free_port, port_is_free  # noqa: E402
from tests.integration.plone_project import PlonedevProject, make_project  # noqa: E402

TITLE = "Bench Frontend Site"
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def page(url: str) -> str | None:
    try:
        request = urllib.request.Request(url, headers={"Accept": "text/html"})
        with _OPENER.open(request, timeout=10) as r:
            return r.read().decode() if r.status == 200 else None
    except (urllib.error.URLError, OSError):
        return None


def frontend_port() -> int:
    while True:
        port = free_port()
        if port < 65535 and port_is_free("127.0.0.1", port + 1):
            return port


def timed_up(project: PlonedevProject, url: str) -> tuple[float, float]:
    """(seconds to the first rendered page, seconds `up` took) for one `plonedev up`."""
    log = project.root.parent / "up.log"
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "plonedev", "up"],
            cwd=project.root,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    first = 0.0
    try:
        while first == 0.0:
            html = page(url)
            if html and f">{TITLE}</title>" in html:
                first = time.perf_counter() - started
            elif process.poll() is not None and process.returncode != 0:
                raise SystemExit(f"plonedev up failed:\n{log.read_text()}")
            else:
                time.sleep(0.25)
        process.wait(timeout=1800)
    finally:
        if process.poll() is None:  # interrupted: no `up` may go on behind our back
            process.terminate()
            process.wait()
    return first, time.perf_counter() - started


def native_rss_mb(project: PlonedevProject) -> float:
    state = json.loads((project.root / ".plonedev" / "run" / "native.json").read_text())
    return session_rss_mb(int(state["services"]["frontend"]["pid"]))


def session_rss_mb(leader: int) -> float:
    """The resident memory of every process in the session `leader` leads."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(stat[3]) != leader:  # field 6: the session id
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmRSS:\s+(\d+)", status, re.MULTILINE)
        total += int(match.group(1)) if match else 0
    return total / 1024


def cache_settled(project: PlonedevProject, quiet: float = 15.0, timeout: float = 300) -> float:
    """Seconds until webpack has stored its persistent cache (no file in it changed for
    `quiet` s, no pack half-written): as after a while of work, before a `down`."""
    cache = project.root / ".plonedev" / "webpack-cache"
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        files = [f for f in cache.rglob("*") if f.is_file()]
        newest = max((f.stat().st_mtime for f in files), default=0.0)
        writing = any(f.name.endswith("_") for f in files)
        if files and not writing and time.time() - newest > quiet:
            break
        time.sleep(1)
    return time.perf_counter() - started


def bare_dev_server(project: PlonedevProject) -> tuple[float, float]:
    """(seconds to the first page, MB) for `razzle start` as Volto runs it, without
    plonedev's persistent cache, against the running backend."""
    config = load_config(project.root / "pyproject.toml")
    fpaths = frontend_paths(project.root, config.frontend)
    port = frontend_port()
    site = f"http://127.0.0.1:{config.ports.backend}/{config.site_id}"
    env = dev_server_env(fpaths, port, site, project.root / "unused")
    del env["PLONEDEV_WEBPACK_CACHE"]
    log = project.root.parent / "bare-razzle.log"
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(fpaths.razzle), "start"],
            cwd=fpaths.volto,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        while True:
            html = page(f"http://127.0.0.1:{port}/")
            if html and f">{TITLE}</title>" in html:
                return time.perf_counter() - started, session_rss_mb(process.pid)
            if process.poll() is not None:
                raise SystemExit(f"razzle start failed:\n{log.read_text()}")
            time.sleep(0.25)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def docker_mb(name: str) -> float:
    done = subprocess.run(
        ["docker", "stats", "--no-stream", "--format", "{{.MemUsage}}", f"{name}-frontend-1"],
        capture_output=True,
        text=True,
        check=True,
    )
    value, unit = re.match(r"([\d.]+)\s*(\w+)", done.stdout).groups()  # type: ignore[union-attr]
    return float(value) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024}[unit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runtime", choices=("native", "docker"), default="native")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--python-image", default="plonedev-test/python:3.11")
    parser.add_argument("--node-image", default="plonedev-test/node:22")
    args = parser.parse_args()
    name = f"benchfe{secrets.token_hex(3)}"
    section = f'name = "{name}"\nruntime = "{args.runtime}"\nsite-title = "{TITLE}"'
    with tempfile.TemporaryDirectory(prefix="plonedev-bench-") as tmp:
        project = make_project(Path(tmp), section)
        port = frontend_port()
        pyproject = project.root / "pyproject.toml"
        text = pyproject.read_text() + f"frontend = {port}\n"
        if args.runtime == "docker":
            text += (
                f'\n[tool.plonedev.images]\npython = "{args.python_image}"\n'
                f'node = "{args.node_image}"\n'
            )
        pyproject.write_text(text)
        project.run("add-frontend")
        url = f"http://127.0.0.1:{port}/"
        try:
            first, up_total = timed_up(project, url)
            memory = native_rss_mb(project) if args.runtime == "native" else docker_mb(name)
            started = time.perf_counter()
            again = project.run("up").stdout
            second_up = time.perf_counter() - started
            note = " (pnpm skipped)" if "Frontend up to date" in again else ""
            warm = []
            stored = []
            for _ in range(args.rounds):
                if args.runtime == "native":
                    stored.append(cache_settled(project))
                project.run("down")
                warm.append(timed_up(project, url)[0])
            warm_memory = native_rss_mb(project) if args.runtime == "native" else docker_mb(name)
            bare = bare_dev_server(project) if args.runtime == "native" else None
        finally:
            # Docker: the volumes (node_modules, data) and containers go too.
            cleanup = ("down", "--volumes", "--yes") if args.runtime == "docker" else ("down",)
            project.run(*cleanup, check=False)
            if args.runtime == "docker":
                subprocess.run(["docker", "image", "rm", f"{name}-backend:dev"], check=False)
    print(f"runtime {args.runtime}")
    print(f"first up, nothing installed: first page after {first:.1f} s (up {up_total:.1f} s)")
    print(f"frontend memory after the first page: {memory:.0f} MB")
    print(f"second up, all running: {second_up:.1f} s{note}")
    for index, seconds in enumerate(warm, 1):
        print(f"warm up {index} (down, then up): first rendered page after {seconds:.1f} s")
    print(f"frontend memory after the last warm up: {warm_memory:.0f} MB")
    if stored:
        print(
            "waited for webpack to store its cache before each down: "
            + ", ".join(f"{s:.0f} s" for s in stored)
        )
    if bare is not None:
        best = min(warm)
        print(
            f"baseline, bare `razzle start` (no persistent cache): first page after "
            f"{bare[0]:.1f} s, {bare[1]:.0f} MB"
        )
        print(f"ratio, best warm up / bare razzle start: {best / bare[0]:.2f}x")


if __name__ == "__main__":
    main()
