"""Services stopped for the length of a block, and started again after it, whatever happens.

For commands that need what a running service holds: a FileStorage's lock (`run`), the
backend's port (`debug`), the data files (`restore`). Only what was running is stopped,
and only that is started again, in a finally: an error in the block still leaves the
project as the user had it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from plonedev.project_setup.find_project import RunningProject
from plonedev.runtime.protocol import UP_STATES, EventSink


@contextmanager
def services_paused(
    running: RunningProject, names: tuple[str, ...], on_event: EventSink
) -> Iterator[list[str]]:
    """Stop those of `names` that run; yields the ones it stopped."""
    stopped = running.runtime.stop(running.project, names, on_event)
    try:
        yield stopped
    finally:
        if stopped:
            running.runtime.up(running.project.only(tuple(stopped)), on_event)


@contextmanager
def services_running(
    running: RunningProject, names: tuple[str, ...], on_event: EventSink
) -> Iterator[list[str]]:
    """The other way round: start those of `names` that do not run (a database a restore
    writes into), and stop them again after the block; yields the ones it started."""
    up = {s.name for s in running.runtime.status(running.project) if s.state in UP_STATES}
    started = [name for name in names if name not in up]
    if started:
        running.runtime.up(running.project.only(tuple(started)), on_event)
    try:
        yield started
    finally:
        if started:
            running.runtime.stop(running.project, tuple(started), on_event)
