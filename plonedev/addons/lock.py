"""One change at a time, and no watcher applying half of it.

`plonedev watch` reinstalls and restarts when mx.ini or pyproject.toml change: running
next to add-addon it would restart the backend in the middle of the change, and roll
nothing back. So a change takes the watcher's lock (.plonedev/run/watch.lock), and
refuses to start while a watcher holds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from plonedev.errors import PlonedevError


@contextlib.contextmanager
def change_lock(run_dir: Path, command: str) -> Iterator[None]:
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / "watch.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            raise PlonedevError(
                f"`plonedev watch` or another add-on change (pid {owner}) is running for "
                f"this project: {command} would race with it",
                "stop the watcher (Ctrl-C in its terminal) or wait, then run it again",
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
