"""The site's admin password: generated once per project, kept in a git-ignored file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def ensure_admin_password(path: Path) -> str:
    """Read the project's admin password, creating a random one on first use."""
    try:
        existing = path.read_text().strip()
    except FileNotFoundError:
        existing = ""
    if existing:
        return existing
    password = secrets.token_urlsafe(18)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written private from the first byte, then moved in place: never world-readable,
    # never half-written.
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(password + "\n")
    tmp.replace(path)
    return password
