"""`plonedev up`: from a clone to a running site, and cheap when nothing changed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from plonedev.backend.site import ensure_site
from plonedev.commands import prepare
from plonedev.commands.context import open_running_project
from plonedev.credentials import ensure_admin_password
from plonedev.project import backend_url, site_url
from plonedev.report import Reporter


@dataclass(frozen=True)
class UpResult:
    project: str
    runtime: str
    runtime_reason: str
    urls: dict[str, str]
    admin_user: str
    admin_password: str
    admin_password_file: Path
    site_created: bool
    seconds: float
    warnings: tuple[str, ...] = field(default=())


def up(start: Path, reporter: Reporter, *, runtime: str | None = None) -> UpResult:
    started = time.monotonic()
    running = open_running_project(start, runtime)
    context, config = running.context, running.context.config
    reporter.info(
        f"{running.project.name}: {running.resolution.name} runtime ({running.resolution.reason})"
    )
    synced = prepare.sources(context, reporter)
    prepare.environment(context, synced, reporter)
    # Only now, when the input is known to be good: a bad mx.ini writes nothing.
    password = ensure_admin_password(context.paths.admin_password_file)
    prepare.service_files(context, password)
    running.runtime.up(running.project, reporter.event)
    site = ensure_site(
        backend_url(config),
        config.site_id,
        distribution=config.distribution.value,
        title=config.site_title,
        admin_user=config.admin_user,
        admin_password=password,
        profiles=config.profiles,
    )
    if site.created:
        reporter.info(f"Created the site {config.site_id!r} ({site.seconds:.1f} s)")
    urls = {"site": site_url(config)}
    urls.update({s.name: s.url for s in running.project.services if s.name != "backend"})
    return UpResult(
        project=running.project.name,
        runtime=running.resolution.name,
        runtime_reason=running.resolution.reason,
        urls=urls,
        admin_user=config.admin_user,
        admin_password=password,
        admin_password_file=context.paths.admin_password_file,
        site_created=site.created,
        seconds=time.monotonic() - started,
        warnings=tuple(synced.warnings),
    )
