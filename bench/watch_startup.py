"""Watcher start-up, idle CPU and reaction time with 100,000 files under sources/.

    .venv/bin/python bench/watch_startup.py [--files 100000] [--idle 10]

Generates a project in a temporary folder whose one source (vcs = fs) holds the files
(100 per folder), then measures, against the same project with an empty source:

- `plonedev watch` in a subprocess: from spawn to its "Watching" line (CLI start-up
  included), then its CPU use and memory while nothing changes;
- the watcher in-process: setting up the watches (FileWatcher), and from a save to
  the change being handed out (the 50 ms grouping of the notify engine included).

No service runs: the watcher only watches, so no Plone is needed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from plonedev.watch.changes import FileChange  # noqa: E402
from plonedev.watch.filter import WatchSpec  # noqa: E402
from plonedev.watch.source import FileWatcher  # noqa: E402

PER_FOLDER = 100
TICKS = os.sysconf("SC_CLK_TCK")


def make_project(root: Path, files: int) -> Path:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "0"\n\n[tool.plonedev]\nruntime = "native"\n'
    )
    (root / "mx.ini").write_text(
        "[settings]\ndefault-target = sources\n\n[big]\nurl = big\nvcs = fs\n"
    )
    package = root / "sources" / "big" / "src" / "big"
    package.mkdir(parents=True)
    (root / "sources" / "big" / "pyproject.toml").write_text('[project]\nname = "big"\n')
    for index in range(files):
        folder = package / f"d{index // PER_FOLDER:04d}"
        if index % PER_FOLDER == 0:
            folder.mkdir()
        (folder / f"m{index % PER_FOLDER:03d}.py").write_text(f"VALUE = {index}\n")
    return root


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime, all threads


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_cli(root: Path, idle: float) -> tuple[float, float, float]:
    """Seconds to the "Watching" line, CPU % while idle, RSS in MB."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "plonedev", "watch"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Watching "):
            break
    ready = time.perf_counter() - started
    time.sleep(1.0)  # let start-up work settle
    before, at = cpu_seconds(process.pid), time.perf_counter()
    time.sleep(idle)
    cpu = (cpu_seconds(process.pid) - before) / (time.perf_counter() - at) * 100
    rss = rss_mb(process.pid)
    process.terminate()
    process.wait(timeout=30)
    return ready, cpu, rss


def measure_in_process(root: Path, rounds: int = 5) -> tuple[float, float]:
    """Seconds to set up the watches; median seconds from a save to the change."""
    spec = WatchSpec(root, (root / "sources",), frozenset({root / "mx.ini"}))
    started = time.perf_counter()
    watcher = FileWatcher(spec)
    setup = time.perf_counter() - started
    target = next((root / "sources" / "big" / "src" / "big").glob("d*/m000.py"), None)
    target = target or root / "sources" / "big" / "src" / "big" / "new.py"
    reactions = []
    try:
        for i in range(rounds):
            time.sleep(0.2)
            started = time.perf_counter()
            target.write_text(f"VALUE = {i}\n")
            changes: list[FileChange] = []
            while not any(change.path == target for change in changes):
                changes = watcher.get(5.0)
                assert changes, "no change seen within 5 s"
            reactions.append(time.perf_counter() - started)
    finally:
        watcher.close()
    return setup, statistics.median(reactions)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--idle", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plonedev-bench-") as tmp:
        started = time.perf_counter()
        big = make_project(Path(tmp) / "big", args.files)
        print(f"generated {args.files} files in {time.perf_counter() - started:.1f} s")
        empty = make_project(Path(tmp) / "empty", 0)
        results = {}
        for name, root in (("empty source", empty), (f"{args.files} files", big)):
            ready, cpu, rss = measure_cli(root, args.idle)
            setup, reaction = measure_in_process(root)
            results[name] = (ready, cpu, rss, setup, reaction)
    print()
    print(
        f"{'':<14} {'CLI to Watching':>16} {'idle CPU':>9} {'RSS':>8} "
        f"{'watch set-up':>13} {'save->event':>12}"
    )
    for name, (ready, cpu, rss, setup, reaction) in results.items():
        print(
            f"{name:<14} {ready:>14.2f} s {cpu:>8.2f}% {rss:>5.0f} MB "
            f"{setup * 1000:>10.0f} ms {reaction * 1000:>9.0f} ms"
        )
    (ready0, cpu0, _, setup0, reaction0), (ready1, cpu1, _, setup1, reaction1) = results.values()
    print(
        f"ratio (files / empty): start-up {ready1 / ready0:.2f}, watch set-up "
        f"{setup1 / max(setup0, 1e-6):.0f}x ({(setup1 - setup0) * 1000:.0f} ms more), "
        f"idle CPU {cpu1:.2f}% vs {cpu0:.2f}%, save->event {reaction1 / reaction0:.2f}"
    )


if __name__ == "__main__":
    main()
