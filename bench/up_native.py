"""Warm `plonedev up` against a bare `runwsgi`, and the cold install with uv.

    .venv/bin/python bench/up_native.py [--rounds 5] [--cold]

A project copy (the repository's demo project on free ports, FileStorage) is brought up
once, so the environment is installed and the site exists; then each round, in
alternation:

- bare: `runwsgi etc/zope.ini` on the same instance, until GET /Plone/++api++ is 200;
- plonedev: `plonedev up` (sources, environment check, instance files, start, site check),
  until the same URL is 200.

The target is plonedev adding at most 20% to the bare boot: the ratio of medians is
printed. --cold also times the backend install into a new virtualenv, with uv's cache
as it is and with an empty one (every package downloaded).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
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


def answers(url: str) -> bool:
    try:
        with _OPENER.open(
            urllib.request.Request(url, headers={"Accept": "application/json"}), timeout=5
        ) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def until_200(url: str, started: float, timeout: float = 180) -> float:
    while not answers(url):
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"timed out waiting for {url}")
        time.sleep(0.01)
    return time.perf_counter() - started


def bare_boot(project: PlonedevProject, url: str) -> float:
    instance = project.root / ".plonedev" / "instance" / "etc" / "zope.ini"
    runwsgi = project.root / ".plonedev" / "venv" / "bin" / "runwsgi"
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(runwsgi), str(instance)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        # SIGINT stops Zope cleanly; a bench run in the background inherits it ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        return until_200(url, started)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)


def plonedev_up(project: PlonedevProject, url: str) -> float:
    started = time.perf_counter()
    project.run("up")
    seconds = until_200(url, started)
    project.run("down")
    return seconds


def cold_install(project: PlonedevProject, empty_cache: bool) -> float:
    venv = project.root / ".plonedev" / "venv"
    shutil.rmtree(venv)
    env = dict(os.environ)
    cache = None
    if empty_cache:
        cache = tempfile.mkdtemp(prefix="uv-cache-")
        env["UV_CACHE_DIR"] = cache
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "plonedev", "up"],
        cwd=project.root,
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    project.run("down")
    if cache:
        shutil.rmtree(cache, ignore_errors=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cold", action="store_true", help="also time cold installs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp), 'runtime = "native"')
        try:
            project.run("up")  # install and create the site once
            project.run("down")
            url = f"{project.backend}/Plone/++api++"
            bare: list[float] = []
            ours: list[float] = []
            for _ in range(args.rounds):
                bare.append(bare_boot(project, url))
                ours.append(plonedev_up(project, url))
            b, o = statistics.median(bare), statistics.median(ours)
            print(
                f"bare runwsgi to first ++api++ 200:  median {b:.2f} s  "
                f"(runs: {', '.join(f'{x:.2f}' for x in bare)})"
            )
            print(
                f"plonedev up to first ++api++ 200:   median {o:.2f} s  "
                f"(runs: {', '.join(f'{x:.2f}' for x in ours)})"
            )
            print(f"ratio plonedev / bare: {o / b:.2f}  (target: at most 1.20)")
            ratios = [x / y for x, y in zip(ours, bare, strict=True)]
            print(
                f"per-round ratios: {', '.join(f'{r:.2f}' for r in ratios)}; "
                f"median {statistics.median(ratios):.2f}"
            )
            if args.cold:
                warm_cache = cold_install(project, empty_cache=False)
                print(f"up with a new virtualenv, uv cache warm: {warm_cache:.1f} s")
                empty = cold_install(project, empty_cache=True)
                print(f"up with a new virtualenv, uv cache empty: {empty:.1f} s")
        finally:
            project.run("down", check=False)


if __name__ == "__main__":
    main()
