"""The watch loop: changes -> batch (at once, or a quiet period for bursts) -> rules ->
actions -> one line each.

Runs until interrupted (Ctrl-C) or until `stop` is set. A failed action is reported
and the loop goes on: the next change that concerns the service tries again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from plonedev.errors import PlonedevError
from plonedev.report import Reporter
from plonedev.watch.changes import FileChange, merge
from plonedev.watch.debounce import Batcher, Clock
from plonedev.watch.executor import Executor, Workspace
from plonedev.watch.filter import WatchSpec
from plonedev.watch.outcome import ActionOutcome, describe
from plonedev.watch.rules import PROJECT, Do, plan

IDLE_WAKEUP = 1.0  # seconds: how often an idle loop looks at `stop`


class ChangeSource(Protocol):
    def get(self, timeout: float | None) -> list[FileChange]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class WatchOptions:
    quiet: float = 0.3  # seconds without a new change before a batch runs
    max_wait: float = 2.0  # ... or this long after its first change, whatever comes first
    # A group of at most this many changes after a quiet period (an editor's save: the
    # file, perhaps its temporary twin and a folder) is applied at once.
    leading: int = 3


def run_loop(
    executor: Executor,
    reporter: Reporter,
    open_source: Callable[[WatchSpec], ChangeSource],
    *,
    options: WatchOptions = WatchOptions(),
    stop: threading.Event | None = None,
    clock: Clock = time.monotonic,
    on_ready: Callable[[WatchSpec], None] | None = None,
    on_outcome: Callable[[ActionOutcome, str], None] | None = None,
) -> None:
    """Watch until `stop` is set (or KeyboardInterrupt). Each outcome goes to `on_outcome`
    with its line, or else to the reporter as one line (a warning when it failed)."""
    workspace = executor.workspace
    spec = workspace.watch_spec()
    source = open_source(spec)
    batcher: Batcher[FileChange] = Batcher(
        options.quiet, options.max_wait, clock, leading=options.leading
    )
    reporter.info(f"Watching {spec.describe()}. Ctrl-C stops watching; the services keep running.")
    if on_ready is not None:
        on_ready(spec)
    try:
        while stop is None or not stop.is_set():
            timeout = batcher.timeout()
            batcher.add(source.get(IDLE_WAKEUP if timeout is None else timeout))
            batch = batcher.take()
            if not batch:
                continue
            changes = [c for c in merge(batch) if not workspace.is_settled(c)]
            actions = plan(changes, workspace.rule_context())
            for outcome in executor.run(actions):
                for warning in outcome.warnings:
                    reporter.warn(warning)
                if on_outcome is not None:
                    on_outcome(outcome, describe(outcome, workspace.root))
                else:
                    _report(reporter, outcome, workspace.root)
            if any(a.service == PROJECT or a.do is Do.SYNC for a in actions):
                new_spec = _refreshed_spec(workspace, reporter)
                if new_spec is not None and new_spec != spec:
                    source.close()
                    spec, source = new_spec, open_source(new_spec)
                    reporter.info(f"Watching {spec.describe()}")
    finally:
        source.close()


def _refreshed_spec(workspace: Workspace, reporter: Reporter) -> WatchSpec | None:
    try:
        workspace.refresh()
        return workspace.watch_spec()
    except PlonedevError as exc:
        reporter.warn(f"watching as before: {exc}")
        return None


def _report(reporter: Reporter, outcome: ActionOutcome, root: Path) -> None:
    line = describe(outcome, root)
    if outcome.ok:
        reporter.info(line)
        return
    reporter.warn(line)
    if outcome.details:
        reporter.info(outcome.details)
