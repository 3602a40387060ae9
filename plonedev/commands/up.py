"""`plonedev up`: from a clone to a running site, and cheap when nothing changed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from plonedev import registry
from plonedev.backend import site_storage
from plonedev.backend.caching import ensure_caching
from plonedev.backend.site import ensure_site, install_missing_profiles, site_exists
from plonedev.commands.starting import open_to_start
from plonedev.frontend import site_phases
from plonedev.model import Role
from plonedev.model_builder import backend_url, site_url
from plonedev.project_setup import prepare
from plonedev.project_setup.find_project import RunningProject, require_services
from plonedev.report import Reporter
from plonedev.runtime.protocol import EventSink, ServiceEvent, is_site_created
from plonedev.runtime.record import record_file
from plonedev.runtimes.registry import runtime_kind


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


def up(
    start: Path,
    reporter: Reporter,
    *,
    runtime: str | None = None,
    services: tuple[str, ...] = (),
    example_content: bool = False,
    fresh: bool = False,
) -> UpResult:
    """Start the project, or only `services` and what they need. `fresh`: accept a
    changed storage with an empty site in it (the old storage's data stays)."""
    started = time.monotonic()
    plan = open_to_start(start, runtime)
    running = plan.running
    context, config = running.context, running.context.config
    require_services(running.project, services)
    kind = runtime_kind(running.resolution.name)
    # Before anything changes: the data in another storage is refused.
    site_storage.check(
        context.paths, config.storage, fresh=fresh, places=kind.storage_places(running)
    )
    reporter.info(
        f"{running.project.name}: {running.resolution.name} runtime ({running.resolution.reason})"
    )
    for move in plan.moves:
        reporter.info(str(move))
    synced = prepare.sources(context, reporter)
    wanted = running.project.only(services)
    # Natively: the venv, the instance files, the frontend; Docker: the image, compose.yaml.
    with_frontend = any(s.role is Role.FRONTEND for s in wanted.services)
    password = kind.prepare(running, synced, reporter, with_frontend)
    # Recorded before anything starts: a failed start is still stopped by `down`.
    record_file(context.paths.state).started(running.resolution.name, plan.ports)
    registry.register(
        registry.Entry(running.project.name, context.paths.root, running.resolution.name)
    )
    # The frontend renders the site: it (and what depends on it) starts once it exists.
    phases = site_phases(wanted)
    seen: list[ServiceEvent] = []
    running.runtime.up(phases.before, _recorded(reporter.event, seen))
    urls = {s.name: s.url for s in wanted.services if s.role is not Role.BACKEND}
    if not any(s.role is Role.BACKEND for s in wanted.services):  # `up zeo`: no site
        return _result(running, password, urls, False, started, synced.warnings)
    auth = (config.admin_user, password)
    created = False
    if not site_exists(backend_url(config), config.site_id, auth):
        # Seconds of work with no output of its own: the step shows that it is running.
        with reporter.step(f"Creating the site {config.site_id!r}") as step:
            created = ensure_site(
                backend_url(config),
                config.site_id,
                distribution=config.distribution.value,
                title=config.site_title,
                admin_user=config.admin_user,
                admin_password=password,
                profiles=config.profiles,
                setup_content=example_content,
            ).created
            step.done(f"Created the site {config.site_id!r}")
    site_storage.record(context.paths, config.storage)  # the site exists in it now
    # The Docker runtime creates the site in a one-shot container before the backend runs.
    site_created = created or any(is_site_created(event) for event in seen)
    if not created:  # profiles added to the config since the site was created (by a teammate)
        for profile in install_missing_profiles(
            backend_url(config), config.site_id, config.profiles, auth
        ):
            reporter.info(f"Installed the profile {profile} in the site {config.site_id!r}")
    if config.varnish:
        proxy = kind.purge_url(running)
        if ensure_caching(backend_url(config), config.site_id, (proxy,), auth):
            reporter.info(f"Caching: plone.app.caching installed, purging Varnish at {proxy}")
    if phases.after:
        running.runtime.up(wanted, _only(phases.after, reporter.event))
    urls = {"site": site_url(config), **urls}
    return _result(running, password, urls, site_created, started, synced.warnings)


def _result(
    running: RunningProject,
    password: str,
    urls: dict[str, str],
    site_created: bool,
    started: float,
    warnings: tuple[str, ...],
) -> UpResult:
    config = running.context.config
    return UpResult(
        project=running.project.name,
        runtime=running.resolution.name,
        runtime_reason=running.resolution.reason,
        urls=urls,
        admin_user=config.admin_user,
        admin_password=password,
        admin_password_file=running.context.paths.admin_password_file,
        site_created=site_created,
        seconds=time.monotonic() - started,
        warnings=warnings,
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
