"""An unexpected error (a bug): the traceback and versions go to a file, the user gets a line.

As pip and poetry do: a user who hits a bug needs to know that it is one and where the
details are to report it, not a screen of frames. PLONEDEV_TRACEBACK=1 re-raises instead,
for plonedev's own developers.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from pathlib import Path

from plonedev import __version__
from plonedev.registry import state_dir

TRACEBACK_ENV = "PLONEDEV_TRACEBACK"
LOG_DIR_ENV = "PLONEDEV_LOG_DIR"
EXIT_BUG = 70  # EX_SOFTWARE: neither a user error (2) nor a failed service (3)


def wants_traceback() -> bool:
    return os.environ.get(TRACEBACK_ENV, "") not in ("", "0")


def crash_log_dir() -> Path:
    configured = os.environ.get(LOG_DIR_ENV)
    return Path(configured) if configured else state_dir() / "logs"


def write_crash_log(error: BaseException, directory: Path | None = None) -> Path:
    """The report to attach to a bug: what ran, on what, and the whole traceback."""
    folder = directory or crash_log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = folder / f"crash-{stamp}-{os.getpid()}.log"
    lines = [
        f"plonedev {__version__}",
        f"python {platform.python_version()} ({sys.executable})",
        f"platform {platform.platform()}",
        f"command {' '.join(sys.argv)}",
        f"cwd {Path.cwd()}",
        "",
        *traceback.format_exception(error),
    ]
    path.write_text("\n".join(line.rstrip("\n") for line in lines) + "\n")
    return path


def describe(error: BaseException) -> str:
    detail = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
