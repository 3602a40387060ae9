"""One watcher per project: two would both restart the backend on every save."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.lock import change_lock


@contextmanager
def watch_lock(run_dir: Path) -> Iterator[None]:
    """Hold .plonedev/run/watch.lock while watching."""

    def busy(owner: str) -> PlonedevError:
        return PlonedevError(
            f"another `plonedev watch` (pid {owner}) is watching this project",
            "use that one, or stop it first (Ctrl-C in its terminal)",
        )

    with change_lock(run_dir, busy):
        yield
