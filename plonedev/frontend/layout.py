"""Where a Volto project keeps its files: the layout plonedev scaffolds and runs.

A pnpm workspace, the shape cookieplone generates: the project's root package.json,
its add-ons in packages/, and Volto itself unpacked from its npm tarball into
core/packages/volto (generated, git-ignored, fetched again when missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.model import Role

SERVICE = Role.FRONTEND.value  # the frontend service's name
# The Volto release plonedev scaffolds and has verified (install, dev server, build).
VOLTO_VERSION = "18.33.0"
PNPM_MAJOR = 10
# Where package.json records the Volto release for plonedev: {"plonedev": {"volto": ...}}.
PACKAGE_KEY = "plonedev"
VOLTO_PACKAGE = "@plone/volto"
# plonedev's own add-on, generated into core/: the dev server's reload fix.
DEV_TOOLS_PACKAGE = "plonedev-volto-dev"


@dataclass(frozen=True)
class FrontendPaths:
    root: Path  # the Volto project (tool.plonedev.frontend)

    @property
    def package_json(self) -> Path:
        return self.root / "package.json"

    @property
    def workspace(self) -> Path:
        return self.root / "pnpm-workspace.yaml"

    @property
    def lockfile(self) -> Path:
        return self.root / "pnpm-lock.yaml"

    @property
    def npmrc(self) -> Path:
        return self.root / ".npmrc"

    @property
    def volto_config(self) -> Path:
        return self.root / "volto.config.js"

    @property
    def packages(self) -> Path:
        return self.root / "packages"

    @property
    def volto(self) -> Path:
        return self.root / "core" / "packages" / "volto"

    @property
    def volto_package_json(self) -> Path:
        return self.volto / "package.json"

    @property
    def dev_tools(self) -> Path:
        return self.root / "core" / "packages" / DEV_TOOLS_PACKAGE

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def install_stamp(self) -> Path:
        # Inside node_modules: deleting node_modules also forgets the install.
        return self.node_modules / ".plonedev-install.json"

    @property
    def razzle(self) -> Path:
        return self.volto / "node_modules" / ".bin" / "razzle"

    @property
    def build(self) -> Path:
        return self.volto / "build"


def frontend_paths(project_root: Path, frontend: str) -> FrontendPaths:
    """The Volto project named by tool.plonedev.frontend (relative to the project root)."""
    return FrontendPaths((project_root / frontend).resolve())


def require_project(paths: FrontendPaths) -> None:
    """Refuse a tool.plonedev.frontend that names no Volto project."""
    if not paths.package_json.is_file():
        raise PlonedevError(
            f"{paths.package_json} not found: tool.plonedev.frontend does not point at a "
            "Volto project",
            "run `plonedev add-frontend` to create one, or fix tool.plonedev.frontend",
        )
