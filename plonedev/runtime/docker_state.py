"""What the last successful `up` started, so an `up` with nothing to change skips Compose.

Compose itself would find nothing to do, but asking it costs seconds (it starts, reads
every container, re-runs the site job). When every service runs healthy and neither the
Compose files nor the built images changed since the last `up`, there is nothing to ask.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from plonedev.files import contents_digest, write_atomic


def compose_digest(files: Iterable[Path], images: Iterable[str | None]) -> str:
    return contents_digest(files, values={"images": list(images)}, name=lambda p: p.name)


class UpRecord:
    """A JSON file in .plonedev/run/ with the digests of the last successful `up`s.

    More than one: `up` starts the services before the site in one call and the frontend
    (and Varnish in front of it) in a second, and each call's digest covers its own
    images. A digest of files that changed since can never match again.
    """

    KEEP = 8

    def __init__(self, path: Path) -> None:
        self.path = path

    def _digests(self) -> list[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(data, dict):
            return []
        digests = data.get("compose_digests", [data.get("compose_digest")])
        return [d for d in digests if isinstance(d, str)] if isinstance(digests, list) else []

    def matches(self, digest: str) -> bool:
        return digest in self._digests()

    def save(self, digest: str) -> None:
        digests = [digest] + [d for d in self._digests() if d != digest]
        data = {"version": 2, "compose_digests": digests[: self.KEEP]}
        write_atomic(self.path, json.dumps(data) + "\n")

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
