"""`plonedev test` on a generated add-on against bare pytest in the same venv, and
create-addon until its view answers.

    .venv/bin/python bench/test_speed.py [--rounds 5]

A native project on free ports is brought up, create-addon acme.hello runs (timed until
@@hello-hello answers), then each round runs, alternately, `plonedev test acme.hello`
and the venv's own `python -m pytest -p no:cacheprovider` in the add-on's folder: the
same tests, the same interpreter. The ratio of the medians is plonedev's overhead
(goal <= 1.1).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.plone_project import make_native_init_project  # noqa: E402

ADDON = "acme.hello"


def timed(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def _each(seconds: list[float]) -> str:
    return ", ".join(f"{s:.2f}" for s in seconds)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory(prefix="plonedev-bench-") as tmp:
        project = make_native_init_project(Path(tmp))
        project.run("up")
        try:
            started = time.perf_counter()
            project.run("create-addon", ADDON)
            url = f"{project.backend}/Plone/@@hello-hello"
            while project.request("GET", url, accept="text/plain")[0] != 200:
                time.sleep(0.05)
            seconds = time.perf_counter() - started
            print(f"create-addon {ADDON} until its view answers: {seconds:.1f} s")
            addon = project.root / "sources" / ADDON
            python = str(project.root / ".plonedev" / "venv" / "bin" / "python")
            plonedev = [sys.executable, "-m", "plonedev", "test", ADDON]
            bare = [python, "-m", "pytest", "-p", "no:cacheprovider"]
            ours, theirs = [], []
            for _ in range(rounds):
                ours.append(timed(plonedev, project.root))
                theirs.append(timed(bare, addon))
        finally:
            project.run("down", check=False)
    mine, base = statistics.median(ours), statistics.median(theirs)
    print(f"plonedev test: median {mine:.2f} s over {rounds} ({_each(ours)})")
    print(f"bare pytest:   median {base:.2f} s over {rounds} ({_each(theirs)})")
    print(f"ratio plonedev/bare: {mine / base:.2f} (goal <= 1.1)")


if __name__ == "__main__":
    main()
