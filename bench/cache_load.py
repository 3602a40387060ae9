"""Varnish in front of Plone under load: what the cache buys, and that it stays right.

    .venv/bin/python bench/cache_load.py [--seconds 20] [--connections 10] [--edits-every 2]

A native project (Varnish on, the default distribution) with a published document; then,
in one run, wrk (Debian's package) for --seconds on the document's anonymous page:

- straight to the backend (the baseline), then through Varnish;
- requests/s of each and their ratio (goal: Varnish >= 50x), p99 latency of each;
- Varnish's hit ratio over its run, from `plonedev cache --json` (goal >= 99 %);
- during the Varnish run an editor changes the title over the REST API every
  --edits-every seconds and reads the page anonymously through Varnish until it shows
  the new title: stale reads started more than 1 s after an edit (goal 0), and the
  longest time from an edit to the start of the first fresh read.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.cache_support import anonymous, published_document  # noqa: E402
from tests.integration.plone_project import PlonedevProject, make_project  # noqa: E402

FRESH_WITHIN = 1.0


@dataclass(frozen=True)
class Load:
    requests_per_second: float
    p99_ms: float
    errors: int


def wrk(url: str, seconds: int, connections: int) -> Load:
    done = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            "Accept: text/html",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    )
    out = done.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    assert p99, out
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Load(rate, float(p99.group(1)) * scale, int(errors.group(1)) if errors else 0)


@dataclass
class Freshness:
    edits: int = 0
    stale_beyond: int = 0  # stale answers to reads started > FRESH_WITHIN after an edit
    longest: float = 0.0  # seconds from an edit to the start of the first fresh read


def edit_while_loaded(
    project: PlonedevProject, site: str, page: str, until: float, every: float, seen: Freshness
) -> None:
    while time.monotonic() + every < until:
        time.sleep(every)
        title = f"Edited {seen.edits + 1}"
        status, body = project.request("PATCH", f"{site}/bench-doc", {"title": title}, auth=True)
        assert status == 204, body
        edited = time.monotonic()
        seen.edits += 1
        while True:
            started = time.monotonic() - edited
            if anonymous(page).title == title:
                seen.longest = max(seen.longest, started)
                break
            if started > FRESH_WITHIN:
                seen.stale_beyond += 1
            time.sleep(0.02)


def counters(project: PlonedevProject) -> dict[str, int]:
    return json.loads(project.run("cache", "--json").stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--edits-every", type=float, default=2.0)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (Debian: apt-get install wrk; scripts/provision.sh)")
    base = Path(tempfile.mkdtemp(prefix="plonedev-bench-cache-"))
    project = make_project(base, 'runtime = "native"\nvarnish = true', with_demo=False)
    try:
        project.run("up")
        site = f"{project.backend}/Plone"
        published_document(project, site, "bench-doc", "Bench document")
        direct = f"{site}/bench-doc"
        cached = f"http://127.0.0.1:{project.ports['varnish']}/Plone/bench-doc"
        anonymous(direct), anonymous(cached)  # compiled and cached before the clock runs

        backend = wrk(direct, args.seconds, args.connections)
        before = counters(project)
        seen = Freshness()
        until = time.monotonic() + args.seconds
        editor = threading.Thread(
            target=edit_while_loaded,
            args=(project, site, cached, until, args.edits_every, seen),
        )
        editor.start()
        varnish = wrk(cached, args.seconds, args.connections)
        editor.join()
        after = counters(project)
    finally:
        project.run("down", check=False)
        shutil.rmtree(base, ignore_errors=True)

    hits = after["hits"] - before["hits"]
    misses = after["misses"] - before["misses"]
    ratio = varnish.requests_per_second / backend.requests_per_second
    print(f"wrk -t2 -c{args.connections} -d{args.seconds}s on one anonymous document page")
    print(f"backend   {backend.requests_per_second:10.1f} req/s   p99 {backend.p99_ms:8.2f} ms")
    print(f"varnish   {varnish.requests_per_second:10.1f} req/s   p99 {varnish.p99_ms:8.2f} ms")
    print(f"ratio     {ratio:10.1f}x (goal >= 50x)")
    print(
        f"hit ratio {hits / max(hits + misses, 1):10.2%} "
        f"({hits} hits, {misses} misses; goal >= 99 %)"
    )
    print(
        f"edits     {seen.edits} during the Varnish run: {seen.stale_beyond} stale reads more "
        f"than {FRESH_WITHIN:.0f} s after an edit (goal 0); first fresh read started at most "
        f"{seen.longest * 1000:.0f} ms after an edit"
    )
    print(f"errors    backend {backend.errors}, varnish {varnish.errors} non-2xx/3xx answers")


if __name__ == "__main__":
    main()
