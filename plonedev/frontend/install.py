"""Make a Volto project ready to run: Volto in core/, then `pnpm install`.

`up` calls this every time, so it is cheap when nothing changed: a stamp in
node_modules records a digest of everything that decides the install (the manifests,
the workspace file, the lockfile, pnpm's settings, the Node version). pnpm runs only
when the digest differs; the stamp is written after pnpm succeeded, with the lockfile as
pnpm left it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from plonedev.files import contents_digest, write_atomic
from plonedev.frontend.layout import FrontendPaths, require_project
from plonedev.frontend.run import LineSink, run_tool
from plonedev.frontend.tools import ensure_pnpm, pnpm_argv, require_node
from plonedev.frontend.volto import (
    ensure_dev_tools,
    ensure_volto,
    installed_version,
    node_engines,
)


@dataclass(frozen=True)
class FrontendInstall:
    installed: bool  # False: the stamp matched and pnpm did not run
    seconds: float
    reason: str  # why it installed, or "up to date"
    volto_version: str
    volto_fetched: bool = False


def install_inputs(paths: FrontendPaths) -> list[Path]:
    """The files whose content decides what pnpm installs."""
    inputs = [
        paths.package_json,
        paths.workspace,
        paths.lockfile,
        paths.npmrc,
        paths.volto_package_json,
        paths.dev_tools / "package.json",
    ]
    if paths.packages.is_dir():
        inputs += sorted(paths.packages.glob("*/package.json"))
    return inputs


def install_digest(paths: FrontendPaths, node_version: str) -> str:
    return contents_digest(
        install_inputs(paths),
        values={"node": node_version},
        name=lambda path: str(path.relative_to(paths.root)),
    )


def ensure_frontend(
    paths: FrontendPaths,
    state: Path,
    *,
    env: Mapping[str, str] | None = None,
    on_line: LineSink | None = None,
    force: bool = False,
    new_dependency: bool = False,
) -> FrontendInstall:
    """Volto in core/packages/volto and the workspace's node_modules, as cheaply as can be.

    `state` is the project's .plonedev/ (where pnpm is installed when missing); `env`
    adds variables for npm and pnpm (NODE_EXTRA_CA_CERTS for a corporate CA bundle);
    `new_dependency`: package.json gained one, so the lockfile must change.
    """
    started = time.monotonic()
    require_project(paths)
    node = require_node(node_engines(paths))
    fetched = ensure_volto(paths, env=env, on_line=on_line)
    ensure_dev_tools(paths)  # its files are read at start; only its manifest needs pnpm
    version = installed_version(paths) or "?"
    digest = install_digest(paths, node.version)
    recorded = read_stamp(paths.install_stamp)
    if not force and not fetched and recorded == digest:
        return FrontendInstall(False, time.monotonic() - started, "up to date", version)
    if fetched:
        reason = f"Volto {version} unpacked"
    elif force:
        reason = "forced"
    elif recorded is None:
        reason = "no record of a complete install"
    else:
        reason = "package files changed"
    pnpm = ensure_pnpm(state, env=env, on_line=on_line)
    argv = [
        *pnpm_argv(pnpm, node),
        "install",
        "--reporter=append-only",
        # A non-interactive run cannot answer pnpm's "remove node_modules?" question.
        "--config.confirm-modules-purge=false",
    ]
    if new_dependency or not paths.lockfile.exists():
        argv.append("--no-frozen-lockfile")  # CI=true would refuse to write one
    run_tool(
        argv,
        cwd=paths.root,
        what="pnpm install",
        hint=f"fix the cause, then run again (or run `pnpm install` in {paths.root})",
        env=env,
        on_line=on_line,
    )
    # pnpm may have written the lockfile: record the digest of what is there now.
    _write_stamp(paths.install_stamp, install_digest(paths, node.version))
    return FrontendInstall(True, time.monotonic() - started, reason, version, fetched)


def read_stamp(stamp: Path) -> str | None:
    try:
        data = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    digest = data.get("digest") if isinstance(data, dict) else None
    return str(digest) if digest else None


def _write_stamp(stamp: Path, digest: str) -> None:
    write_atomic(stamp, json.dumps({"digest": digest}) + "\n")
