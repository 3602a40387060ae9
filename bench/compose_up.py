"""Warm `plonedev up` with Docker Compose against the native runtime, in the same run.

    .venv/bin/python bench/compose_up.py [--rounds 3]

Two copies of the repository's demo project (FileStorage, on free ports): one pinned to
runtime = "native", one to runtime = "docker" with the local stand-in images
(tests/images/build.sh). Each is brought up once (install or image build, site
creation) and stopped. Then, in alternation, each round times `plonedev up` from
stopped services with the data present until GET /Plone/++api++ answers 200 (site
ready), then `plonedev down`. The baseline, in the same rounds: a bare `docker compose
up -d` of the compose.yaml plonedev generated, until the same 200, then `docker compose
down` (what a hand-written Compose setup costs; the goal is plonedev at most 1.0x it).

Then a code-only change (the demo add-on's greeting): the next Docker `up` must build
nothing (no "Built the backend image" line) and serve the new code; and `up` while
everything runs already (the no-op).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.plone_project import PlonedevProject, make_project  # noqa: E402

_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
IMAGES = (
    '[tool.plonedev.images]\npython = "plonedev-test/python:3.11"\n'
    'postgres = "plonedev-test/postgres:15"\nvarnish = "plonedev-test/varnish:7"\n'
)
GREETING = Path("sources/plonedev-demo/src/plonedev_demo/greeting.py")


def get(url: str, accept: str = "application/json") -> tuple[int, str]:
    try:
        with _OPENER.open(urllib.request.Request(url, headers={"Accept": accept}), timeout=5) as r:
            return int(r.status), r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, OSError):
        return 0, ""


def timed_up(project: PlonedevProject) -> tuple[float, str]:
    """Seconds from `plonedev up` to the site's first ++api++ 200, and up's output."""
    url = f"{project.backend}/Plone/++api++"
    started = time.perf_counter()
    done = project.run("up")
    while get(url)[0] != 200:
        if time.perf_counter() - started > 300:
            raise SystemExit(f"timed out waiting for {url}")
        time.sleep(0.01)
    return time.perf_counter() - started, done.stdout


def bare_compose_up(project: PlonedevProject, name: str) -> float:
    """Seconds from a bare `docker compose up -d` of the generated files to the same 200."""
    folder = project.root / "compose"
    compose = ["docker", "compose", "-p", name, "--project-directory", str(folder)]
    files = ["-f", str(folder / "compose.yaml")]
    url = f"{project.backend}/Plone/++api++"
    started = time.perf_counter()
    subprocess.run([*compose, *files, "up", "-d"], check=True, capture_output=True)
    while get(url)[0] != 200:
        if time.perf_counter() - started > 300:
            raise SystemExit(f"timed out waiting for {url}")
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    subprocess.run([*compose, *files, "down"], check=True, capture_output=True)
    return seconds


def runs(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s  (runs: {', '.join(f'{v:.2f}' for v in values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    subprocess.run([str(REPO / "tests" / "images" / "build.sh"), "python"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        for folder in ("native", "docker"):
            (Path(tmp) / folder).mkdir()
        native = make_project(Path(tmp) / "native", 'runtime = "native"')
        name = f"bench-compose-{int(time.time())}"
        docker = make_project(
            Path(tmp) / "docker", f'name = "{name}"\nruntime = "docker"\n{IMAGES}'
        )
        try:
            for label, project in (("native", native), ("docker", docker)):
                seconds, _ = timed_up(project)
                print(f"{label}: first up (install or image build, site creation) {seconds:.1f} s")
                project.run("down")
            warm: dict[str, list[float]] = {"native": [], "docker": [], "bare compose": []}
            for _ in range(args.rounds):
                for label, project in (("native", native), ("docker", docker)):
                    seconds, _ = timed_up(project)
                    warm[label].append(seconds)
                    project.run("down")
                warm["bare compose"].append(bare_compose_up(docker, name))
            for label, values in warm.items():
                print(f"{label}: warm up to site ready:  {runs(values)}")
            median = {label: statistics.median(values) for label, values in warm.items()}
            print(f"docker / native: {median['docker'] / median['native']:.2f}")
            print(
                f"docker / bare `docker compose up -d`: "
                f"{median['docker'] / median['bare compose']:.2f}  (goal: at most 1.00)"
            )

            (docker.root / GREETING).write_text('GREETING = "changed"\n')
            seconds, output = timed_up(docker)
            built = "Built the backend image" in output
            _, body = get(f"{docker.backend}/Plone/@@demo-hello", accept="text/plain")
            print(
                f"docker: up after a code-only change {seconds:.2f} s; image build: "
                f"{'YES' if built else 'none'}; serves the new code: {body.endswith('changed')}"
            )
            started = time.perf_counter()
            docker.run("up")
            print(f"docker: up with everything running: {time.perf_counter() - started:.2f} s")
            native.run("up")
            started = time.perf_counter()
            native.run("up")
            print(f"native: up with everything running: {time.perf_counter() - started:.2f} s")
        finally:
            native.run("down", check=False)
            docker.run("down", "--volumes", "--yes", check=False)
            subprocess.run(
                ["docker", "image", "rm", "-f", f"{name}-backend:dev"],
                capture_output=True,
                check=False,
            )


if __name__ == "__main__":
    main()
