"""Start, identify and stop the local processes of the native runtime.

Each service runs in its own session (process group), so stopping it reaches every
child it forked (varnishd's worker, PostgreSQL's backends) and nothing is orphaned.
A pid is trusted only together with the process's start time, so a recycled pid is
never mistaken for our service.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessHandle:
    pid: int
    start_ticks: int  # /proc/<pid>/stat field 22: identifies this process among reused pids

    def is_alive(self) -> bool:
        ticks = process_start_ticks(self.pid)
        return ticks is not None and ticks == self.start_ticks


def process_start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":  # a zombie has finished; only its exit status is left
        return None
    return int(fields[19])


def spawn(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log_file: Path,
    user: str | None = None,
) -> tuple[ProcessHandle, subprocess.Popen[bytes]]:
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
            preexec_fn=_default_stop_signals,
        )
    ticks = process_start_ticks(process.pid)
    return ProcessHandle(process.pid, ticks if ticks is not None else -1), process


def _default_stop_signals() -> None:
    # A plonedev started in the background (`plonedev up &`) inherits SIGINT ignored, and
    # exec keeps it ignored: Zope would then never see the SIGINT that stops it cleanly.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stop(
    handle: ProcessHandle,
    stop_signal: str,
    timeout: float,
    released: Callable[[], bool] | None = None,
) -> bool:
    """Signal the process group, wait up to `timeout`, then kill it. True if it was running.

    With `released`: once it says the process let go of what its successor needs (its
    socket, its database), kill what is left of its exit. Zope's interpreter teardown
    takes seconds of a core that the next boot wants, and saves nothing.
    """
    if not handle.is_alive():
        return False
    _signal_group(handle.pid, signal.Signals[stop_signal])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not handle.is_alive() and not _group_alive(handle.pid):
            return True
        if released is not None and released():
            break
        time.sleep(0.02 if released is not None else 0.05)
    _kill(handle)
    return True


def _kill(handle: ProcessHandle) -> None:
    _signal_group(handle.pid, signal.SIGKILL)
    while handle.is_alive():
        time.sleep(0.05)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # Only zombies left (children of a parent that is us) count as gone.
    return _group_has_live_member(pgid)


def _group_has_live_member(pgid: int) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False
