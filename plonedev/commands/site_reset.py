"""`plonedev site reset`: delete the site and create it anew, as `up` creates it.

The site goes with plone.restapi's DELETE on the site (the admin user is the Zope root's
manager), then `up` runs: it leaves the running services alone and creates the missing
site with the configured distribution and profiles, the same path as a first `up`.
Nothing else in the database is touched: other sites and the Zope root's users stay.
An automatic snapshot saves the data first (unless `snapshot` is off).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from plonedev.backend.site import check, request, site_exists
from plonedev.commands.snapshot import safety_snapshot
from plonedev.commands.up import UpResult, up
from plonedev.credentials import ensure_admin_password
from plonedev.errors import PlonedevError
from plonedev.model_builder import backend_url
from plonedev.report import Reporter
from plonedev.runtimes.registry import open_running_project


def site_to_reset(start: Path, runtime: str | None = None) -> tuple[str, str]:
    """The project's name and the id of the site `reset_site` would delete."""
    running = open_running_project(start, runtime)
    return running.project.name, running.context.config.site_id


def reset_site(
    start: Path,
    reporter: Reporter,
    *,
    runtime: str | None = None,
    example_content: bool = False,
    snapshot: bool = True,
) -> UpResult:
    running = open_running_project(start, runtime)
    config = running.context.config
    auth = (config.admin_user, ensure_admin_password(running.context.paths.admin_password_file))
    base = backend_url(config)
    try:
        exists = site_exists(base, config.site_id, auth)
    except PlonedevError:
        raise PlonedevError(
            f"the backend of {running.project.name} does not answer at {base}",
            "start it with `plonedev up`: site reset recreates the site in the running backend",
        ) from None
    if exists:
        if snapshot:
            safety_snapshot(running, "site reset", reporter)
        _delete(base, config.site_id, auth)
        reporter.info(f"Deleted the site {config.site_id!r}")
    return up(start, reporter, runtime=runtime, example_content=example_content)


def _delete(base: str, site_id: str, auth: tuple[str, str]) -> None:
    # plone.restapi's DELETE on the site itself: the ZMI's manage_delObjects answers
    # HTML, whose write plone.protect aborts at the Zope root (no CSRF token there).
    response = request("DELETE", f"{base}/{quote(site_id)}", auth, timeout=300)
    check(response, f"deleting the site {site_id!r}", auth[0])
    if site_exists(base, site_id, auth):
        raise PlonedevError(
            f"the backend kept the site {site_id!r} after deleting it",
            "see the backend log (`plonedev logs backend`)",
        )
