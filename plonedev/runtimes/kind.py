"""What a runtime owns, so that no call site decides by its name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

# (name, ok, detail, required): one line of `plonedev doctor`.
Finding = tuple[str, bool, str, bool]

if TYPE_CHECKING:  # the capabilities' own modules load when one is used
    from pathlib import Path

    from plonedev.addons.environment import BackendEnvironment
    from plonedev.backend.site_storage import Places
    from plonedev.backend.snapshot import SnapshotKind
    from plonedev.paths import ProjectPaths
    from plonedev.project_setup.find_project import ProjectContext, RunningProject
    from plonedev.report import Reporter
    from plonedev.runtime.engine_probe import EngineProbe
    from plonedev.runtime.protocol import Runtime
    from plonedev.sources import SourcesResult
    from plonedev.varnish import ContainerAdmin
    from plonedev.watch.executor import Executor


@runtime_checkable
class RuntimeKind(Protocol):
    name: str
    # True: the model looks up the local programs a process needs (Zope's, PostgreSQL's).
    native_programs: bool

    def services(self, paths: ProjectPaths) -> Runtime:
        """What starts, stops, lists and logs the services and runs in the backend."""

    def prepare(
        self, running: RunningProject, synced: SourcesResult, reporter: Reporter, frontend: bool
    ) -> str:
        """What its `up` needs on disk; returns the admin password. `frontend` False
        (`up backend`): no frontend install, so no Node.js needed."""

    def environment(self, context: ProjectContext) -> BackendEnvironment:
        """Where add-ons are installed."""

    def data(self, running: RunningProject) -> list[str]:
        """The site's data `down --volumes` deletes, as the user knows it."""

    def storage_places(self, running: RunningProject) -> Places:
        """Where each storage keeps the site's data, and whether it has any: what `up`
        checks the configured storage against (plonedev.backend.site_storage)."""

    def remove_data(
        self, running: RunningProject, reporter: Reporter
    ) -> tuple[list[str], list[str]]:
        """Stop everything and delete the site's data: (stopped, removed)."""

    def snapshot_kind(self, running: RunningProject) -> SnapshotKind:
        """How snapshots save and restore the project's storage (the same folders in
        every runtime)."""

    def watcher(self, running: RunningProject) -> Executor:
        """What `plonedev watch` applies changes with: a runtime and its workspace."""

    def findings(self, context: ProjectContext, engine: EngineProbe) -> list[Finding]:
        """What `plonedev doctor` checks for it: what it needs and whether it is there."""

    def purge_url(self, running: RunningProject) -> str:
        """The Varnish URL Plone sends its PURGE requests to, as the backend reaches it."""

    def varnish_admin(self, running: RunningProject) -> Path | ContainerAdmin:
        """Where varnishadm reaches the project's Varnish: natively its working folder."""
