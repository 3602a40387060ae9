"""The Volto frontend: scaffold a project, install it with pnpm, run its dev server."""

from __future__ import annotations

from plonedev.frontend.install import FrontendInstall, ensure_frontend
from plonedev.frontend.layout import SERVICE, VOLTO_VERSION, FrontendPaths, frontend_paths
from plonedev.frontend.scaffold import frontend_files, write_frontend
from plonedev.frontend.service import SitePhases, frontend_service, site_phases

__all__ = [
    "SERVICE",
    "VOLTO_VERSION",
    "FrontendInstall",
    "FrontendPaths",
    "SitePhases",
    "ensure_frontend",
    "frontend_files",
    "frontend_paths",
    "frontend_service",
    "site_phases",
    "write_frontend",
]
