"""Node, npm and pnpm: found on the machine, or (pnpm) installed into the project.

pnpm is never assumed to be installed globally: a CI runner has Node and npm, not pnpm.
When no pnpm of the right major version is on PATH, plonedev installs one into
.plonedev/node with npm and uses that from then on.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.frontend.layout import PNPM_MAJOR
from plonedev.frontend.run import LineSink, run_tool

NODE_HINT = "install Node.js 20 or 22 (Debian: apt-get install nodejs npm), then run again"


@dataclass(frozen=True)
class Program:
    path: str
    version: str  # "20.20.2", without the "v"

    @property
    def major(self) -> int:
        return major_of(self.version)


def major_of(version: str) -> int:
    match = re.match(r"v?(\d+)", version.strip())
    return int(match.group(1)) if match else 0


def find_program(name: str) -> Program | None:
    """`name` on PATH with the version it reports, or None."""
    path = shutil.which(name)
    if path is None:
        return None
    version = _version(path)
    return Program(path, version) if version else None


def _version(path: str) -> str:
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = done.stdout.strip().splitlines()
    return lines[-1].strip().removeprefix("v") if done.returncode == 0 and lines else ""


def supported_majors(engines: str) -> frozenset[int]:
    """The Node majors an engines range such as "^20 || ^22" allows (empty: unknown)."""
    majors = set()
    for part in engines.split("||"):
        match = re.fullmatch(r"\s*(?:\^|~|>=)?\s*(\d+)(?:\.[\dx*]+)*\s*", part)
        if match is None:
            return frozenset()
        majors.add(int(match.group(1)))
    return frozenset(majors)


def require_node(engines: str = "^20 || ^22") -> Program:
    """Node on PATH in a version Volto supports, or a PlonedevError saying what to do."""
    node = find_program("node")
    if node is None:
        raise PlonedevError("the frontend needs Node.js, but `node` was not found", NODE_HINT)
    majors = supported_majors(engines)
    if majors and node.major not in majors:
        raise PlonedevError(
            f"the frontend needs Node.js {engines}, but {node.path} is {node.version}",
            NODE_HINT,
        )
    return node


def require_npm() -> Program:
    npm = find_program("npm")
    if npm is None:
        raise PlonedevError(
            "the frontend needs npm (to fetch Volto and pnpm), but `npm` was not found",
            "install npm with Node.js (Debian: apt-get install npm)",
        )
    return npm


def local_pnpm(state: Path) -> Path:
    """Where plonedev installs its own pnpm: .plonedev/node."""
    return state / "node" / "node_modules" / "pnpm" / "bin" / "pnpm.cjs"


def find_pnpm(state: Path) -> Program | None:
    """The project's own pnpm, else a pnpm of the right major version on PATH."""
    local = local_pnpm(state)
    version = _package_version(local.parent.parent / "package.json")
    if local.is_file() and major_of(version) == PNPM_MAJOR:
        return Program(str(local), version)
    found = find_program("pnpm")
    if found is not None and found.major == PNPM_MAJOR:
        return found
    return None


def ensure_pnpm(
    state: Path,
    *,
    env: Mapping[str, str] | None = None,
    on_line: LineSink | None = None,
) -> Program:
    """A pnpm of the right major version, installed into .plonedev/node when missing."""
    found = find_pnpm(state)
    if found is not None:
        return found
    npm = require_npm()
    prefix = state / "node"
    prefix.mkdir(parents=True, exist_ok=True)
    run_tool(
        [
            npm.path,
            "install",
            "--prefix",
            str(prefix),
            "--no-audit",
            "--no-fund",
            f"pnpm@{PNPM_MAJOR}",
        ],
        cwd=prefix,
        what=f"installing pnpm {PNPM_MAJOR} with npm",
        hint="check that the npm registry is reachable (`npm ping`), then run again",
        env=env,
        on_line=on_line,
    )
    found = find_pnpm(state)
    if found is None:
        raise PlonedevError(
            f"npm installed pnpm, but {local_pnpm(state)} is missing",
            f"remove {prefix} and run again",
        )
    return found


def _package_version(package_json: Path) -> str:
    try:
        data = json.loads(package_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    version = data.get("version") if isinstance(data, dict) else None
    return str(version) if version else ""


def pnpm_argv(pnpm: Program, node: Program) -> list[str]:
    """How to run this pnpm: the project's own is a script run with the Node in use."""
    if pnpm.path.endswith((".cjs", ".js")):
        return [node.path, pnpm.path]
    return [pnpm.path]
