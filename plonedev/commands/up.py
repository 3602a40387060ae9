"""`plonedev up`: from a clone to a running site, and cheap when nothing changed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from plonedev.backend.site import ensure_site, install_missing_profiles
from plonedev.commands import prepare
from plonedev.commands.context import open_running_project
from plonedev.frontend import site_phases
from plonedev.project import backend_url, site_url
from plonedev.report import Reporter
from plonedev.runtime.base import EventSink, ServiceEvent, is_site_created


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
    # Natively: the venv, the instance files, the frontend; Docker: the image, compose.yaml.
    password = prepare.for_runtime(running, synced, reporter)
    # The frontend renders the site: it (and what depends on it) starts once it exists.
    phases = site_phases(running.project)
    seen: list[ServiceEvent] = []
    running.runtime.up(phases.before, _recorded(reporter.event, seen))
    site = ensure_site(
        backend_url(config),
        config.site_id,
        distribution=config.distribution.value,
        title=config.site_title,
        admin_user=config.admin_user,
        admin_password=password,
        profiles=config.profiles,
    )
    # The Docker runtime creates the site in a one-shot container before the backend runs.
    site_created = site.created or any(is_site_created(event) for event in seen)
    if site.created:
        reporter.info(f"Created the site {config.site_id!r} ({site.seconds:.1f} s)")
    else:  # profiles added to the config since the site was created (by a teammate)
        auth = (config.admin_user, password)
        for profile in install_missing_profiles(
            backend_url(config), config.site_id, config.profiles, auth
        ):
            reporter.info(f"Installed the profile {profile} in the site {config.site_id!r}")
    if phases.after:
        running.runtime.up(running.project, _only(phases.after, reporter.event))
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
        site_created=site_created,
        seconds=time.monotonic() - started,
        warnings=tuple(synced.warnings),
    )


def _recorded(sink: EventSink, seen: list[ServiceEvent]) -> EventSink:
    def record(event: ServiceEvent) -> None:
        seen.append(event)
        sink(event)

    return record


def _only(names: tuple[str, ...], sink: EventSink) -> EventSink:
    """Events of `names` only: the services started earlier were reported already."""

    def forward(event: ServiceEvent) -> None:
        if event.service in names:
            sink(event)

    return forward
