"""From saving a file to the new code served over HTTP, with `plonedev watch` running.

    .venv/bin/python bench/watch_latency.py [--rounds 5]

A project copy on free ports is brought up (`plonedev up`), then `plonedev watch` runs
in a subprocess and each round saves a file and polls @@demo-hello until it answers
the new text:

- reload path: greeting.py changes (plone.reload, in place);
- restart path: greeting.py and a ZCML file change (the backend restarts);
- bare boot: no watcher, the backend started by hand (runwsgi on the same instance)
  until @@demo-hello answers: what a restart cannot beat, measured in the same run.
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


def measure_watch(project: PlonedevProject, rounds: int) -> tuple[list[float], list[float]]:
    hello = f"{project.backend}/Plone/@@demo-hello"
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
            wait_for(lambda text=text: get(hello)[1].endswith(text))  # type: ignore[misc]
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
            wait_for(lambda text=text: get(hello)[1].endswith(text))  # type: ignore[misc]
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
        )
        wait_for(lambda: get(hello)[0] == 200, step=0.01)
        boots.append(time.perf_counter() - started)
        print(f"  boot    {boots[-1]:.2f} s")
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=30)
    return boots


def summary(name: str, values: list[float]) -> str:
    return (
        f"{name:<26} median {statistics.median(values):5.2f} s  "
        f"min {min(values):5.2f} s  max {max(values):5.2f} s  (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plonedev-bench-") as tmp:
        project = make_project(Path(tmp), 'runtime = "native"')
        print("plonedev up ...")
        started = time.perf_counter()
        project.run("up")
        print(f"  up took {time.perf_counter() - started:.1f} s")
        try:
            reloads, restarts = measure_watch(project, args.rounds)
            boots = measure_bare_boot(project, args.rounds)
        finally:
            project.run("down", check=False)
    boot = statistics.median(boots)
    print()
    print("save -> new code served over HTTP (quiet period 0.3 s included)")
    print(summary("reload path (plone.reload)", reloads))
    print(summary("restart path", restarts))
    print(summary("bare backend boot", boots))
    print(f"ratio reload / bare boot   {statistics.median(reloads) / boot:5.2f}")
    print(f"ratio restart / bare boot  {statistics.median(restarts) / boot:5.2f}")
    ratio = statistics.median(restarts) / statistics.median(reloads)
    print(f"ratio restart / reload     {ratio:5.1f}")


if __name__ == "__main__":
    main()
