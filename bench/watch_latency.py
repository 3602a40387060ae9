"""From saving a file to the new code served over HTTP, with `plonedev watch` running.

    .venv/bin/python bench/watch_latency.py [--rounds 5] [--runtime native|docker|both]

For each runtime a project copy on free ports is brought up (`plonedev up`; Docker with
the stand-in images of tests/images/build.sh), then `plonedev watch` runs in a
subprocess and each round saves a file and polls @@demo-hello until it answers the new
text:

- reload path: greeting.py changes (plone.reload, in place);
- restart path: greeting.py and a ZCML file change (the backend restarts);
- bare boot: no watcher, the backend started by hand until @@demo-hello answers: what
  a restart cannot beat, measured in the same run (natively runwsgi on the same
  instance; in Compose `docker compose start backend` on the stopped container);
- baseline (Compose): `docker compose watch` with a `sync+restart` rule for the add-on
  on the same project (bench/watch_compose.py), greeting.py saved as for the reload
  path.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import watch_compose  # noqa: E402
from tests.integration.plone_project import PlonedevProject, make_project  # noqa: E402

PKG = Path("sources/plonedev-demo/src/plonedev_demo")
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str) -> tuple[int, str]:
    try:
        with _OPENER.open(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


def wait_for(check: Callable[[], bool], timeout: float = 120, step: float = 0.01) -> float:
    started = time.perf_counter()
    while not check():
        if time.perf_counter() - started > timeout:
            raise SystemExit("timed out")
        time.sleep(step)
    return time.perf_counter() - started


def save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def next_second() -> None:
    time.sleep(1.05 - time.time() % 1)  # plone.reload compares whole seconds


class Watcher:
    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "plonedev", "watch"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "300"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip())

    def expect(self, pattern: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while True:
            line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            if re.search(pattern, line):
                return line

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=30)


def hello_says(project: PlonedevProject, text: str) -> Callable[[], bool]:
    hello = f"{project.backend}/Plone/@@demo-hello"
    return lambda: get(hello)[1].endswith(text)


def measure_watch(project: PlonedevProject, rounds: int) -> tuple[list[float], list[float]]:
    greeting = project.root / PKG / "greeting.py"
    zcml = project.root / PKG / "browser" / "configure.zcml"
    zcml_text = zcml.read_text()
    watcher = Watcher(project.root)
    watcher.expect(r"^Watching ")
    reloads: list[float] = []
    restarts: list[float] = []
    try:
        for i in range(rounds):
            next_second()
            text = f"reload {i}"
            started = time.perf_counter()
            save(greeting, f'GREETING = "{text}"\n')
            wait_for(hello_says(project, text))
            reloads.append(time.perf_counter() - started)
            line = watcher.expect(r"backend: ")
            print(f"  reload  {reloads[-1]:.2f} s  | {line}")
            assert "reloaded 1 module" in line, line
        for i in range(rounds):
            next_second()
            text = f"restart {i}"
            started = time.perf_counter()
            save(zcml, zcml_text.replace("</configure>", f"<!-- {i} -->\n</configure>"))
            save(greeting, f'GREETING = "{text}"\n')
            wait_for(hello_says(project, text))
            restarts.append(time.perf_counter() - started)
            line = watcher.expect(r"backend: ")
            print(f"  restart {restarts[-1]:.2f} s  | {line}")
            assert "restarted" in line, line
    finally:
        watcher.stop()
        save(zcml, zcml_text)
    return reloads, restarts


def measure_bare_boot(project: PlonedevProject, rounds: int) -> list[float]:
    project.run("down")
    hello = f"{project.backend}/Plone/@@demo-hello"
    runwsgi = project.root / ".plonedev" / "venv" / "bin" / "runwsgi"
    ini = project.root / ".plonedev" / "instance" / "etc" / "zope.ini"
    boots: list[float] = []
    for _ in range(rounds):
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(runwsgi), str(ini)],
            cwd=project.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            # SIGINT stops Zope cleanly; a bench run in the background inherits it ignored.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        wait_for(lambda: get(hello)[0] == 200, step=0.01)
        boots.append(time.perf_counter() - started)
        print(f"  boot    {boots[-1]:.2f} s")
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    return boots


def measure_baseline(project: PlonedevProject, name: str, rounds: int) -> list[float]:
    greeting = project.root / PKG / "greeting.py"
    times: list[float] = []
    with watch_compose.compose_watch(project, name):
        for i in range(rounds):
            text = f"compose watch {i}"
            started = time.perf_counter()
            save(greeting, f'GREETING = "{text}"\n')
            wait_for(hello_says(project, text))
            times.append(time.perf_counter() - started)
            print(f"  compose watch {times[-1]:.2f} s")
    return times


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name:<30} median {statistics.median(values):5.2f} s  "
        f"min {min(values):5.2f} s  max {max(values):5.2f} s  (n={len(values)})"
    )


def report(
    runtime: str, references: dict[str, list[float]], reloads: list[float], restarts: list[float]
) -> None:
    """The figures, then each path's ratio to each reference (medians)."""
    print()
    print(f"{runtime}: save -> new code served over HTTP (a lone save: no quiet period)")
    print(summary("reload path (plone.reload)", reloads))
    print(summary("restart path", restarts))
    for name, values in references.items():
        print(summary(name, values))
    for name, values in references.items():
        for path, measured in (("reload", reloads), ("restart", restarts)):
            value = statistics.median(measured) / statistics.median(values)
            print(f"ratio {f'{path} / {name}':<42} {value:5.2f}")
    print()


def bench_native(tmp: Path, rounds: int) -> None:
    project = make_project(tmp, 'runtime = "native"')
    print("native: plonedev up ...")
    started = time.perf_counter()
    project.run("up")
    print(f"  up took {time.perf_counter() - started:.1f} s")
    try:
        reloads, restarts = measure_watch(project, rounds)
        boots = measure_bare_boot(project, rounds)
    finally:
        project.run("down", check=False)
    report("native", {"bare backend boot": boots}, reloads, restarts)


def bench_docker(tmp: Path, rounds: int) -> None:
    name = f"bench-watch-{os.getpid()}"
    project = make_project(tmp, f'name = "{name}"\nruntime = "docker"\n\n{watch_compose.IMAGES}')
    print("docker: plonedev up ...")
    started = time.perf_counter()
    project.run("up")
    print(f"  up took {time.perf_counter() - started:.1f} s")
    try:
        reloads, restarts = measure_watch(project, rounds)
        boots = watch_compose.measure_bare_boot(
            project, name, rounds, lambda: get(f"{project.backend}/Plone/@@demo-hello")[0] == 200
        )
        baseline = measure_baseline(project, name, rounds)
    finally:
        project.run("down", "--volumes", "--yes", check=False)
        subprocess.run(["docker", "image", "rm", f"{name}-backend:dev"], capture_output=True)
    report(
        "docker",
        {"bare backend boot (compose)": boots, "docker compose watch": baseline},
        reloads,
        restarts,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runtime", choices=("native", "docker", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plonedev-bench-") as tmp:
        if args.runtime in ("native", "both"):
            (Path(tmp) / "native").mkdir()
            bench_native(Path(tmp) / "native", args.rounds)
        if args.runtime in ("docker", "both"):
            (Path(tmp) / "docker").mkdir()
            bench_docker(Path(tmp) / "docker", args.rounds)


if __name__ == "__main__":
    main()
