"""The frontend as a service of the model: Volto's development server, run by razzle.

razzle runs inside core/packages/volto (Volto's own `start` script first runs a
Makefile its npm tarball does not ship), reading the project's volto.config.js.
The browser's API calls go to the address it used for the page (Volto detects it from
the request when RAZZLE_API_PATH is unset, so localhost and 127.0.0.1 both work), and
Volto's /++api++ proxy forwards them to the backend's site.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

from plonedev.config import PlonedevConfig
from plonedev.frontend.container import frontend_container
from plonedev.frontend.layout import DEV_TOOLS_PACKAGE, SERVICE, FrontendPaths, frontend_paths
from plonedev.model import HttpCheck, PortBinding, Project, Role, Service
from plonedev.paths import ProjectPaths

LOOPBACK = "127.0.0.1"
# Volto's express app answers /ok as soon as it listens, without rendering a page.
HEALTH_PATH = "/ok"
# webpack compiles the client and the server bundles before anything listens: 20-90 s
# on a busy 2-core machine, minutes on a slow one.
START_TIMEOUT = 600.0


def dev_server_env(
    paths: FrontendPaths, port: int, site_url: str, webpack_cache: Path
) -> dict[str, str]:
    """The dev server's environment: where it listens, where the backend's site is,
    where webpack keeps its compile between runs."""
    return {
        "PORT": str(port),  # the webpack dev server (assets, hot reload) takes PORT + 1
        "RAZZLE_BIND_ADDRESS": LOOPBACK,  # Volto's server
        "HOST": LOOPBACK,  # webpack's dev server, and the address pages load assets from
        # Server-side rendering goes through the proxy too (no RAZZLE_INTERNAL_API_PATH):
        # the proxy's virtual hosting makes Plone answer with the frontend's URLs, where
        # direct calls would leak the backend's into links Volto does not rewrite.
        "RAZZLE_DEV_PROXY_API_PATH": site_url,
        "VOLTOCONFIG": str(paths.volto_config),
        "ADDONS": DEV_TOOLS_PACKAGE,  # reload fix, compile cache (plonedev.frontend.volto)
        "PLONEDEV_WEBPACK_CACHE": str(webpack_cache),
        "BROWSER": "none",
    }


def frontend_service(config: PlonedevConfig, paths: ProjectPaths, site_url: str) -> Service:
    """Volto's dev server on ports.frontend (and +1), after the backend is healthy."""
    fpaths = frontend_paths(paths.root, config.frontend)
    port = config.ports.frontend
    return Service(
        name=SERVICE,
        description="Volto development server (razzle)",
        command=(str(fpaths.razzle), "start"),
        cwd=fpaths.volto,
        env=MappingProxyType(dev_server_env(fpaths, port, site_url, paths.webpack_cache)),
        ports=(
            PortBinding("frontend", LOOPBACK, port),
            PortBinding("frontend-assets", LOOPBACK, port + 1),  # webpack dev server
        ),
        health=HttpCheck(f"http://{LOOPBACK}:{port}{HEALTH_PATH}"),
        depends_on=(Role.BACKEND.value,),
        start_timeout=START_TIMEOUT,
        url=f"http://{LOOPBACK}:{port}",
        role=Role.FRONTEND,
        container=frontend_container(config, paths),
    )


@dataclass(frozen=True)
class SitePhases:
    """`up` in two steps: `before` starts, the site is created, then `after` starts."""

    before: Project  # the services the site needs (the backend and its storage)
    after: tuple[str, ...]  # the frontend and everything that depends on it


def site_phases(project: Project, late: tuple[str, ...] = (SERVICE,)) -> SitePhases:
    """The frontend renders the site, so it starts once the site exists; so does
    everything that depends on it (Varnish in front of the frontend)."""
    after: list[str] = []
    for service in project.start_order():
        if service.name in late or set(after).intersection(service.depends_on):
            after.append(service.name)
    before = tuple(s for s in project.services if s.name not in after)
    # The same project (its site id, its cache hold) with fewer services.
    return SitePhases(replace(project, services=before), tuple(after))
