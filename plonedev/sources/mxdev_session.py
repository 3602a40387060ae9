"""Run mxdev in process without it printing, prompting, or resolving paths elsewhere.

mxdev is written as a command line tool: it logs through the `mxdev` logger (which, with
no handler, Python prints to stderr), writes "The package 'x' is dirty." to stderr and
asks on stdin whether to update it anyway, and resolves relative paths against the
process's working directory. Each of these is redirected here, for the duration of one
sync only, so the rest of plonedev sees none of it.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from plonedev.sources.git import no_prompt_env

_cwd_lock = threading.RLock()
_session_lock = threading.Lock()  # the patches below are process-wide: one sync at a time
_current = threading.local()  # which package the mxdev call in this thread works on


@contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """Run with `path` as the working directory; a no-op when it already is (the usual case).

    mxdev resolves the -c/-r lines of requirement files, its targets and
    ${settings:directory} against the working directory: in the project root they mean
    what they mean when the user runs `mxdev` there.
    """
    with _cwd_lock:
        previous = Path.cwd()
        if previous == path:
            yield
            return
        os.chdir(path)
        try:
            yield
        finally:
            os.chdir(previous)


@contextmanager
def working_on(name: str) -> Iterator[None]:
    """Attribute what mxdev logs in this thread to the package `name`."""
    _current.name = name
    try:
        yield
    finally:
        _current.name = None


@dataclass
class Session:
    """What mxdev reported during one sync, per package."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    declined: set[str] = field(default_factory=set)  # packages mxdev found dirty itself
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, message: str) -> None:
        with self._lock:
            self.errors.setdefault(_current_name(), []).append(message)

    def decline(self) -> None:
        with self._lock:
            self.declined.add(_current_name())


class _LineHandler(logging.Handler):
    def __init__(self, session: Session, on_line: Callable[[str], None] | None) -> None:
        super().__init__(level=logging.INFO)
        self.session = session
        self.on_line = on_line

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            self.session.error(message)
        if self.on_line is None:
            return
        for line in message.splitlines():
            if line.strip("# "):  # drop mxdev's "#####" banners
                self.on_line(line)


@contextmanager
def mxdev_session(on_line: Callable[[str], None] | None) -> Iterator[Session]:
    """Route mxdev's log to `on_line`, answer its dirty-checkout prompt with "no", and
    keep git from prompting, until the block ends."""
    from mxdev.vcs import common

    session = Session()
    logger = logging.getLogger("mxdev")
    handler = _LineHandler(session, on_line)
    saved_logger = (logger.level, logger.propagate)
    saved_vcs = (common.yesno, common.print_stderr)
    saved_env = {key: os.environ.get(key) for key in no_prompt_env()}

    def decline(*_args: object, **_kwargs: object) -> bool:
        # plonedev skips dirty checkouts before mxdev sees them; this catches one that
        # became dirty in between, instead of reading stdin.
        session.decline()
        return False

    def to_log(text: str) -> None:
        logger.info(text)

    _session_lock.acquire()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    common.yesno, common.print_stderr = decline, to_log
    os.environ.update(no_prompt_env())
    try:
        yield session
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved_logger[0])
        logger.propagate = saved_logger[1]
        common.yesno, common.print_stderr = saved_vcs
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _session_lock.release()


def _current_name() -> str:
    name: str | None = getattr(_current, "name", None)
    return name or ""
