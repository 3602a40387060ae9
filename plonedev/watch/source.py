"""File-system events from watchfiles' notify engine, filtered, on one queue.

Two watchers, because recursion is set per watcher: one for the folders watched with
their subfolders (the sources), one for the folders whose single files matter (the
project root: mx.ini, pyproject.toml). Each blocks in its own thread; the loop reads
the queue with a timeout its batcher chooses. The watches are in place when
`FileWatcher()` returns (RustNotify sets them up in its constructor), so a file
saved right after that is seen.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

from watchfiles import Change
from watchfiles._rust_notify import RustNotify

from plonedev.errors import PlonedevError
from plonedev.watch.changes import ChangeKind, FileChange
from plonedev.watch.filter import WatchSpec

_KINDS = {Change.added: ChangeKind.ADDED, Change.modified: ChangeKind.MODIFIED}
# The notify engine groups events until none came for STEP_MS (at most DEBOUNCE_MS);
# the real quiet period is the loop's batcher, so both are short.
STEP_MS = 50
DEBOUNCE_MS = 200


class FileWatcher:
    def __init__(self, spec: WatchSpec) -> None:
        self.spec = spec
        self._queue: queue.Queue[list[FileChange] | BaseException] = queue.Queue()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        polling = os.environ.get("WATCHFILES_FORCE_POLLING", "").lower() in ("1", "true", "yes")
        for paths, recursive in ((spec.trees, True), (spec.folders, False)):
            existing = [str(path) for path in paths if path.exists()]
            if not existing:
                continue
            try:
                notify = RustNotify(existing, False, polling, 300, recursive, True)
            except (OSError, RuntimeError) as exc:
                self.close()
                raise PlonedevError(
                    f"cannot watch {', '.join(existing)}: {exc}",
                    "raise fs.inotify.max_user_watches, or set WATCHFILES_FORCE_POLLING=1",
                ) from None
            thread = threading.Thread(
                target=self._run, args=(notify,), name="plonedev-watch", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def get(self, timeout: float | None) -> list[FileChange]:
        """The next accepted changes; [] when `timeout` seconds pass without any."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return []
        if isinstance(item, BaseException):
            raise PlonedevError(f"the file watcher stopped: {item}", "start the watcher again")
        return item

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)
        self._threads.clear()

    def _run(self, notify: RustNotify) -> None:
        try:
            with notify:
                while not self._stop.is_set():
                    raw = notify.watch(DEBOUNCE_MS, STEP_MS, 0, self._stop)
                    if isinstance(raw, str):  # "stop" (or "signal", "timeout": not asked for)
                        continue
                    changes = [change for pair in raw if (change := self._accept(*pair))]
                    if changes:
                        self._queue.put(changes)
        except Exception as exc:  # a watcher thread must say why it ended, not vanish
            self._queue.put(exc)

    def _accept(self, raw_kind: int, raw_path: str) -> FileChange | None:
        path = Path(raw_path)
        if not self.spec.accepts(path):
            return None
        kind = _KINDS.get(Change(raw_kind), ChangeKind.DELETED)
        is_dir = kind is not ChangeKind.DELETED and path.is_dir()
        return FileChange(kind, path, is_dir)
