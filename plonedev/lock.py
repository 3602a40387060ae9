"""The project's change lock (.plonedev/run/watch.lock): one watcher or one add-on change
at a time. flock, so the kernel drops it when the holder dies."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from plonedev.errors import PlonedevError


@contextlib.contextmanager
def change_lock(run_dir: Path, busy: Callable[[str], PlonedevError]) -> Iterator[None]:
    """Hold the lock, or raise `busy(pid of the holder)` at once."""
    run_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(run_dir / "watch.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            raise busy(owner) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
