"""What the last successful `up` started, so an `up` with nothing to change skips Compose.

Compose itself would find nothing to do, but asking it costs seconds (it starts, reads
every container, re-runs the site job). When every service runs healthy and neither the
Compose files nor the built images changed since the last `up`, there is nothing to ask.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from plonedev.files import write_atomic


def compose_digest(files: Iterable[Path], images: Iterable[str | None]) -> str:
    h = hashlib.sha256()
    for path in files:
        h.update(path.name.encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"missing")
    for image in images:
        h.update(f"\0image={image}".encode())
    return h.hexdigest()


class UpRecord:
    """A JSON file in .plonedev/run/ with the digest of the last successful `up`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def matches(self, digest: str) -> bool:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(data, dict) and data.get("compose_digest") == digest

    def save(self, digest: str) -> None:
        write_atomic(self.path, json.dumps({"version": 1, "compose_digest": digest}) + "\n")

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
