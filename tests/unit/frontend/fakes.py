"""Stand-in programs for unit tests: `node`, `npm`, `pnpm` that only report a version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def fake_program(folder: Path, name: str, version: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\necho v{version}\n")
    path.chmod(0o755)
    return path


def only_on_path(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """PATH holds `folder` and nothing else: the machine's own Node is not seen."""
    folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("PATH", str(folder))


def fake_local_pnpm(state: Path, version: str) -> Path:
    package = state / "node" / "node_modules" / "pnpm"
    (package / "bin").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": "pnpm", "version": version}))
    script = package / "bin" / "pnpm.cjs"
    script.write_text("// pnpm\n")
    return script
