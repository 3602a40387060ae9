"""The Compose side of bench/watch_latency.py: a bare backend container boot, and the
baseline, `docker compose watch` with a `sync+restart` rule on the same project.

For the baseline a temporary Compose file (compose/compose.bench-watch.yaml, removed
afterwards) gives the backend a `develop.watch` rule that syncs sources/plonedev-demo
into the container and restarts it. `docker compose watch` cannot sync into a bind
mount (plonedev's dev containers mount sources/ read-only), so that file also drops the
mount: the container runs the copy baked into the dev image, as a project set up for
`docker compose watch` would, and Zope as the image's CMD runs it (runwsgi).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.plone_project import PlonedevProject  # noqa: E402

DEMO = "sources/plonedev-demo"
IMAGES = (
    '[tool.plonedev.images]\npython = "plonedev-test/python:3.11"\n'
    'postgres = "plonedev-test/postgres:15"\nvarnish = "plonedev-test/varnish:7"\n'
)
WATCH_FILE = "compose.bench-watch.yaml"
WATCH_RULE = f"""\
services:
  backend:
    # Zope as the image runs it without plonedev (its CMD), not through bin/run-zope.py.
    command: ["runwsgi", "/app/instance/etc/zope.ini"]
    volumes: !override
      - type: volume
        source: backend-data
        target: /data
      - type: bind
        source: ../.plonedev/docker/instance
        target: /app/instance
        read_only: true
    develop:
      watch:
        - action: sync+restart
          path: ../{DEMO}
          target: /app/project/{DEMO}
"""


def compose(project: PlonedevProject, name: str, *args: str, extra: bool = False) -> list[str]:
    files = ["-f", "compose.yaml"] + (["-f", WATCH_FILE] if extra else [])
    return ["docker", "compose", "-p", name, "--project-directory", ".", *files, *args]


def run(project: PlonedevProject, argv: list[str]) -> None:
    subprocess.run(argv, cwd=project.root / "compose", check=True, capture_output=True)


def measure_bare_boot(
    project: PlonedevProject, name: str, rounds: int, serves: Callable[[], bool]
) -> list[float]:
    """`docker compose start backend` on a stopped container, until it serves the page."""
    boots: list[float] = []
    for _ in range(rounds):
        run(project, compose(project, name, "stop", "backend"))
        started = time.perf_counter()
        run(project, compose(project, name, "start", "backend"))
        while not serves():
            time.sleep(0.01)
        boots.append(time.perf_counter() - started)
        print(f"  boot    {boots[-1]:.2f} s  (compose start backend)")
    return boots


@contextmanager
def compose_watch(project: PlonedevProject, name: str) -> Iterator[None]:
    """The backend recreated with the sync+restart rule, `docker compose watch` running;
    afterwards the backend as plonedev runs it again."""
    rule = project.root / "compose" / WATCH_FILE
    rule.write_text(WATCH_RULE)
    process = None
    try:
        run(project, compose(project, name, "up", "-d", "--no-deps", "backend", extra=True))
        process = subprocess.Popen(
            compose(project, name, "watch", "--no-up", "backend", extra=True),
            cwd=project.root / "compose",
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(3)  # it prints nothing when ready: give it time to set its watches up
        yield
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        rule.unlink()
        run(project, compose(project, name, "up", "-d", "--no-deps", "backend"))
