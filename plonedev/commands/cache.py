"""`plonedev cache`: what Varnish serves from its cache, and emptying it."""

from __future__ import annotations

from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.project_setup.find_project import RunningProject
from plonedev.runtimes.registry import open_running_project, runtime_kind
from plonedev.varnish import ContainerAdmin
from plonedev.varnish.admin import ban
from plonedev.varnish.stats import CacheStats, cache_stats, content_path
from plonedev.varnish.vcl import PATH_HEADER


def stats(start: Path, runtime: str | None = None) -> CacheStats:
    return cache_stats(_varnish(open_running_project(start, runtime)))


def purge(start: Path, path: str | None, runtime: str | None = None) -> str:
    """Drop `path` (the page, its ++api++ JSON and its Volto page), or everything when
    `path` is None; returns the ban Varnish added."""
    running = open_running_project(start, runtime)
    if path is None:
        expression = "obj.status != 0"
    else:
        if not path.startswith("/") or any(c.isspace() for c in path):
            raise PlonedevError(
                f"{path!r} is not a URL path", "give the path as in the browser, e.g. /news"
            )
        config = running.context.config
        # Varnish serves the site at "/" (and so names /Plone/doc as /doc) with a frontend.
        site = config.site_id if config.frontend else None
        expression = f"obj.http.{PATH_HEADER} == {content_path(path, site)}"
    ban(_varnish(running), expression)
    return expression


def _varnish(running: RunningProject) -> Path | ContainerAdmin:
    if not running.context.config.varnish:
        raise PlonedevError(
            "this project runs no Varnish",
            "set varnish = true in [tool.plonedev], then plonedev up",
        )
    return runtime_kind(running.resolution.name).varnish_admin(running)
