"""The one user-facing error type.

Anything the user can fix (bad config, a port in use, a missing program) is raised as
a PlonedevError; the CLI boundary prints it as one line and exits non-zero. Anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno

# Exit codes, so scripts can tell a user error from a failed service.
EXIT_USER_ERROR = 2
EXIT_SERVICE_FAILED = 3


class PlonedevError(Exception):
    """A problem the user can fix: what went wrong, and how to fix it.

    `details` carries what the user needs to see above the one-line error: the end of a
    failed tool's output, or of a service's log.
    """

    exit_code = EXIT_USER_ERROR

    def __init__(self, message: str, hint: str = "", details: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(PlonedevError):
    """The project's configuration (pyproject.toml, mx.ini) is invalid."""


class ServiceError(PlonedevError):
    """A service failed to start, or did not become healthy (details: its log's end)."""

    exit_code = EXIT_SERVICE_FAILED


def disk_full(error: PlonedevError | OSError) -> bool:
    """A write failed for want of space: ENOSPC, or a tool that said so (repozo's
    traceback, pg_dump's message end up in `details`)."""
    if isinstance(error, OSError):
        return error.errno == errno.ENOSPC
    return "no space left" in f"{error.message} {error.details}".lower()


def space_or_cause_fix(error: PlonedevError | OSError) -> str:
    """The fix for a failed write: disk space only when the disk is full, else its cause."""
    return "free some disk space" if disk_full(error) else "fix what the error names"
