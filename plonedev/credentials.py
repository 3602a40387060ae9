"""The site's admin password: generated once per project, kept in a git-ignored file."""

from __future__ import annotations

import secrets
from pathlib import Path

from plonedev.files import write_atomic


def ensure_admin_password(path: Path) -> str:
    """Read the project's admin password, creating a random one on first use."""
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    password = secrets.token_urlsafe(18)
    # Private from the first byte (write_atomic sets the mode before the file appears):
    # never world-readable, never half-written.
    write_atomic(path, password + "\n", mode=0o600)
    return password
