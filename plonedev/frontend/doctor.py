"""What `plonedev doctor` says about the frontend: Node, npm, pnpm, Volto, node_modules.

Only looks; never installs. A missing pnpm or Volto is not an error when `up` can fetch
it (npm is there): the check then says what `up` will do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.frontend.install import install_digest, read_stamp
from plonedev.frontend.layout import PNPM_MAJOR, FrontendPaths, frontend_paths
from plonedev.frontend.tools import (
    NODE_HINT,
    Program,
    find_pnpm,
    find_program,
    supported_majors,
)
from plonedev.frontend.volto import installed_version, node_engines, wanted_version


@dataclass(frozen=True)
class FrontendCheck:
    name: str
    ok: bool
    detail: str
    required: bool = True


def frontend_findings(
    root: Path, frontend: str, state: Path, *, required: bool
) -> list[tuple[str, bool, str, bool]]:
    """The checks as doctor's findings, none without a frontend; `required` False where
    the host needs no Node (containers)."""
    if not frontend:
        return []
    checks = frontend_checks(frontend_paths(root, frontend), state)
    return [(c.name, c.ok, c.detail, c.required and required) for c in checks]


def frontend_checks(paths: FrontendPaths, state: Path) -> list[FrontendCheck]:
    if not paths.package_json.is_file():
        return [
            FrontendCheck(
                "frontend",
                False,
                f"{paths.package_json} not found (run `plonedev add-frontend`, or fix "
                "tool.plonedev.frontend)",
            )
        ]
    try:
        wanted = wanted_version(paths)
        installed = installed_version(paths)
        engines = node_engines(paths)
    except PlonedevError as error:
        return [FrontendCheck("frontend", False, str(error))]
    node = find_program("node")
    npm = find_program("npm")
    pnpm = find_pnpm(state)
    checks = [_node(node, engines)]
    needs_npm = pnpm is None or installed != wanted
    checks.append(
        FrontendCheck(
            "npm",
            npm is not None,
            f"{npm.version} at {npm.path}" if npm else "not found (install npm with Node.js)",
            required=needs_npm,
        )
    )
    if pnpm is not None:
        checks.append(FrontendCheck("pnpm", True, f"{pnpm.version} at {pnpm.path}"))
    else:
        checks.append(
            FrontendCheck(
                "pnpm",
                False,
                f"no pnpm {PNPM_MAJOR} yet: `plonedev up` installs one into .plonedev/node "
                "with npm",
                required=npm is None,
            )
        )
    checks.append(_volto(wanted, installed, npm is not None))
    if installed is not None and node is not None:
        checks.append(_node_modules(paths, node.version))
    return checks


def _node(node: Program | None, engines: str) -> FrontendCheck:
    if node is None:
        return FrontendCheck("node", False, f"not found: {NODE_HINT}")
    majors = supported_majors(engines)
    if majors and node.major not in majors:
        return FrontendCheck(
            "node", False, f"{node.version} at {node.path}: Volto needs {engines} ({NODE_HINT})"
        )
    return FrontendCheck("node", True, f"{node.version} at {node.path}")


def _volto(wanted: str, installed: str | None, can_fetch: bool) -> FrontendCheck:
    if installed == wanted:
        return FrontendCheck("volto", True, f"{wanted} in core/packages/volto")
    what = "not unpacked yet" if installed is None else f"core/packages/volto holds {installed}"
    return FrontendCheck(
        "volto",
        False,
        f"{wanted} wanted, {what}: `plonedev up` fetches it with npm",
        required=not can_fetch,
    )


def _node_modules(paths: FrontendPaths, node_version: str) -> FrontendCheck:
    recorded = read_stamp(paths.install_stamp)
    if recorded is None:
        detail = "not installed yet: `plonedev up` runs pnpm install"
    elif recorded != install_digest(paths, node_version):
        detail = "out of date (package files changed): `plonedev up` runs pnpm install"
    else:
        return FrontendCheck("node_modules", True, f"installed in {paths.node_modules}")
    return FrontendCheck("node_modules", False, detail, required=False)
