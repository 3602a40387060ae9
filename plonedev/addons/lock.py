"""One change at a time, and no watcher applying half of it.

`plonedev watch` reinstalls and restarts when mx.ini or pyproject.toml change: running
next to add-addon it would restart the backend in the middle of the change, and roll
nothing back. So a change takes the watcher's lock, and refuses to start while a
watcher holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plonedev import lock
from plonedev.errors import PlonedevError


@contextmanager
def change_lock(run_dir: Path, command: str) -> Iterator[None]:
    def busy(owner: str) -> PlonedevError:
        return PlonedevError(
            f"`plonedev watch` or another add-on change (pid {owner}) is running for "
            f"this project: {command} would race with it",
            "stop the watcher (Ctrl-C in its terminal) or wait, then run it again",
        )

    with lock.change_lock(run_dir, busy):
        yield
