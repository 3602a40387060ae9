"""Volto itself, unpacked from its npm tarball into core/packages/volto.

Volto 18 projects run Volto as a workspace package (cookieplone clones its git
repository there). plonedev unpacks the release's npm tarball instead: it needs only the
npm registry. Its development tooling (tests, linters, Storybook, Cypress) is dropped
from devDependencies: pnpm installs a workspace package's devDependencies, and two of
them are not published at all. What the dev server and the build need stays.

Next to it, core/packages/plonedev-volto-dev: a tiny add-on of plonedev's whose
razzle.extend.js makes the dev server's server-side hot reload reliable and keeps its
compile in webpack's persistent cache between runs (see the file). The dev server
loads it through ADDONS; it is a devDependency of Volto so it resolves.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import tarfile
import tempfile
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from plonedev.errors import PlonedevError
from plonedev.files import write_atomic, write_if_changed
from plonedev.frontend.layout import (
    DEV_TOOLS_PACKAGE,
    PACKAGE_KEY,
    VOLTO_PACKAGE,
    VOLTO_VERSION,
    FrontendPaths,
)
from plonedev.frontend.run import LineSink, run_tool
from plonedev.frontend.tools import require_npm

# The dev-tools add-on: the reload fix, and the installer containers run (no Python there).
DEV_TOOLS_FILES = ("index.js", "razzle.extend.js", "install.cjs", "start-prod.cjs")
DEFAULT_NODE_ENGINES = "^20 || ^22"  # Volto 18's
DROPPED_DEV_DEPENDENCIES = (
    # not published on the npm registry
    "@plone/types",
    "@plone/volto-coresandbox",
    # tests
    "jest",
    "jest-*",
    "@jest/*",
    "ts-jest",
    "identity-obj-proxy",
    "jsdom",
    "@sinonjs/*",
    "@testing-library/*",
    "vitest",
    "@vitest/*",
    "@vitejs/*",
    "cypress",
    "cypress-*",
    "axe-core",
    "start-server-and-test",
    "wait-on",
    "jsonwebtoken",
    "deep-freeze",
    "use-trace-update",
    # linters, formatters, type declarations (razzle needs `typescript` itself)
    "eslint",
    "eslint-*",
    "@babel/eslint-parser",
    "@typescript-eslint/*",
    "stylelint",
    "stylelint-*",
    "prettier",
    "@types/*",
    # Storybook and release tooling
    "storybook",
    "@storybook/*",
    "react-docgen-typescript-plugin",
    "release-it",
    "why",
)


def wanted_version(paths: FrontendPaths) -> str:
    """The Volto release the project asks for: package.json's plonedev.volto."""
    data = read_json(paths.package_json)
    section = data.get(PACKAGE_KEY)
    if isinstance(section, dict) and isinstance(section.get("volto"), str):
        return str(section["volto"])
    return VOLTO_VERSION


def installed_version(paths: FrontendPaths) -> str | None:
    """The Volto release in core/packages/volto, or None when it is not there."""
    if not paths.volto_package_json.is_file():
        return None
    version = read_json(paths.volto_package_json).get("version")
    return str(version) if version else None


def node_engines(paths: FrontendPaths) -> str:
    """The Node versions the unpacked Volto supports (its engines.node)."""
    engines = read_json(paths.volto_package_json).get("engines")
    node = engines.get("node") if isinstance(engines, dict) else None
    return str(node) if node else DEFAULT_NODE_ENGINES


def ensure_volto(
    paths: FrontendPaths,
    *,
    env: Mapping[str, str] | None = None,
    on_line: LineSink | None = None,
) -> bool:
    """Unpack the wanted Volto release into core/packages/volto unless it is there.

    True when it was (re)placed. The old copy is replaced only once the new one is
    complete, so a failed download leaves the project as it was.
    """
    version = wanted_version(paths)
    if installed_version(paths) == version:
        # A copy trimmed by an older plonedev is brought up to date in place.
        manifest = read_json(paths.volto_package_json)
        if trim_manifest(manifest) != manifest:
            write_atomic(paths.volto_package_json, _manifest_text(trim_manifest(manifest)))
        return False
    npm = require_npm()
    parent = paths.volto.parent
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=parent, prefix=".volto-") as tmp:
        work = Path(tmp)
        run_tool(
            [npm.path, "pack", f"{VOLTO_PACKAGE}@{version}", "--pack-destination", tmp],
            cwd=work,
            what=f"fetching {VOLTO_PACKAGE}@{version} with npm",
            hint="check the version in package.json (plonedev.volto) and that the npm "
            "registry is reachable (`npm ping`)",
            env=env,
            on_line=on_line,
        )
        tarball = _packed(work)
        unpacked = work / "unpacked"
        _extract(tarball, unpacked)
        package = unpacked / "package"
        manifest = read_json(package / "package.json")
        write_atomic(package / "package.json", _manifest_text(trim_manifest(manifest)))
        if paths.volto.exists():
            shutil.rmtree(paths.volto)
        package.replace(paths.volto)
    return True


def trim_manifest(manifest: dict[str, Any]) -> dict[str, Any]:
    """Volto's package.json without the development tooling in devDependencies, and
    with plonedev's dev-tools add-on in them."""
    dev = manifest.get("devDependencies", {})
    kept = {name: spec for name, spec in dev.items() if not is_dropped(name)}
    kept[DEV_TOOLS_PACKAGE] = "workspace:*"
    return {**manifest, "devDependencies": kept}


def ensure_dev_tools(paths: FrontendPaths) -> bool:
    """Write plonedev's dev-tools add-on into core/; True when a file changed."""
    manifest = {
        "name": DEV_TOOLS_PACKAGE,
        "version": "1.0.0",
        "private": True,
        "description": "Written by plonedev: makes Volto's development server reload reliably",
        "main": "index.js",
    }
    changed = write_if_changed(paths.dev_tools / "package.json", _manifest_text(manifest))
    for name in DEV_TOOLS_FILES:
        source = resources.files("plonedev").joinpath("templates", "frontend", "volto-dev", name)
        text = source.read_text(encoding="utf-8")
        changed = write_if_changed(paths.dev_tools / name, text) or changed
    return changed


def _manifest_text(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2) + "\n"


def is_dropped(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in DROPPED_DEV_DEPENDENCIES)


def _packed(folder: Path) -> Path:
    tarballs = sorted(folder.glob("*.tgz"))
    if len(tarballs) != 1:
        raise PlonedevError(
            "npm pack did not write the Volto tarball", "run `npm pack @plone/volto` to see why"
        )
    return tarballs[0]


def _extract(tarball: Path, target: Path) -> None:
    with tarfile.open(tarball) as archive:
        # "data": no absolute paths, no links out of the target, no device files.
        archive.extractall(target, filter="data")


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise PlonedevError(f"{path}: not valid JSON ({exc})", "fix the file") from None
    if not isinstance(data, dict):
        raise PlonedevError(f"{path}: expected a JSON object", "fix the file")
    return data
