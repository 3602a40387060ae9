"""Whether a stopping process has let go of what the next one needs.

A restart waits for the old process to give up its lock files or its ports, not for it
to exit: Zope closes its FileStorage (index saved) at once on SIGINT and its socket
within half a second, then spends seconds tearing down the interpreter, which the new
process need not wait for.
"""

from __future__ import annotations

import fcntl
from pathlib import Path

from plonedev.model import Service
from plonedev.runtime.ports import port_is_free


def lock_is_free(path: Path) -> bool:
    """Whether nobody holds a flock on `path` (zc.lockfile's kind: FileStorage's .lock)."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
    return True


def released(service: Service) -> bool:
    """Whether the stopping process gave up what its successor needs. Once a service's
    lock files are free it has closed its database, so killing it loses nothing (and
    frees its ports at once); without lock files, once its ports are free."""
    if service.locks:
        return all(lock_is_free(path) for path in service.locks)
    return all(port_is_free(b.host, b.port) for b in service.ports)
