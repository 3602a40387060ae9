"""`plonedev watch`: keep the running services in step with the code until interrupted."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from plonedev.report import Reporter
from plonedev.runtime.protocol import State
from plonedev.runtimes.registry import open_running_project, runtime_kind
from plonedev.watch.filter import WatchSpec
from plonedev.watch.lock import watch_lock
from plonedev.watch.loop import WatchOptions, run_loop
from plonedev.watch.outcome import ActionOutcome
from plonedev.watch.rules import BACKEND
from plonedev.watch.source import FileWatcher


def watch(
    start: Path,
    reporter: Reporter,
    *,
    runtime: str | None = None,
    options: WatchOptions | None = None,
    stop: threading.Event | None = None,
    on_ready: Callable[[WatchSpec], None] | None = None,
    on_outcome: Callable[[ActionOutcome, str], None] | None = None,
) -> None:
    """Watch the project at or above `start` until Ctrl-C (or `stop`); the services
    keep running afterwards."""
    running = open_running_project(start, runtime)
    with watch_lock(running.context.paths.run):
        executor = runtime_kind(running.resolution.name).watcher(running)
        states = {s.name: s.state for s in running.runtime.status(running.project)}
        if states.get(BACKEND) is not State.RUNNING:
            reporter.warn(
                f"the backend is {states.get(BACKEND, State.STOPPED).value}: "
                "`plonedev up` starts it (so does the next change to its code)"
            )
        run_loop(
            executor,
            reporter,
            FileWatcher,
            options=options or WatchOptions(),
            stop=stop,
            on_ready=on_ready,
            on_outcome=on_outcome,
        )
