"""One watcher per project: two would both restart the backend on every save."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from plonedev.errors import PlonedevError


@contextlib.contextmanager
def watch_lock(run_dir: Path) -> Iterator[None]:
    """Hold .plonedev/run/watch.lock while watching; the kernel drops it if we die."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "watch.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            raise PlonedevError(
                f"another `plonedev watch` (pid {owner}) is watching this project",
                "use that one, or stop it first (Ctrl-C in its terminal)",
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
