"""The plonedev projects started on this machine, for `plonedev ls` and `down --all`.

One small JSON file per project (named after its folder) in the user's state folder:
`$PLONEDEV_STATE_DIR`, else `$XDG_STATE_HOME/plonedev`, else ~/.local/state/plonedev.
`up` writes it, `down` removes it; an entry whose folder is gone is stale.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from plonedev.files import write_atomic

STATE_DIR_VARIABLE = "PLONEDEV_STATE_DIR"


@dataclass(frozen=True)
class Entry:
    name: str
    root: Path
    runtime: str


def state_dir() -> Path:
    explicit = os.environ.get(STATE_DIR_VARIABLE)
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "plonedev"


def _file(root: Path) -> Path:
    key = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return state_dir() / "projects" / f"{key}.json"


def register(entry: Entry) -> None:
    payload = {"name": entry.name, "root": str(entry.root.resolve()), "runtime": entry.runtime}
    write_atomic(_file(entry.root), json.dumps(payload) + "\n")


def unregister(root: Path) -> None:
    _file(root).unlink(missing_ok=True)


def entries() -> list[Entry]:
    """Every project registered, by folder; damaged files are left out."""
    found: list[Entry] = []
    for path in sorted((state_dir() / "projects").glob("*.json")):
        try:
            raw = json.loads(path.read_text())
            found.append(Entry(str(raw["name"]), Path(raw["root"]), str(raw["runtime"])))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(found, key=lambda entry: str(entry.root))
