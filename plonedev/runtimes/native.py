"""The native runtime: local processes, the project's venv, the data in var/."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from plonedev.config import Storage
from plonedev.credentials import ensure_admin_password
from plonedev.model_builder import LOOPBACK
from plonedev.paths import ProjectPaths
from plonedev.postgres import find_programs
from plonedev.project_setup.find_project import ProjectContext, RunningProject
from plonedev.report import Reporter
from plonedev.runtime.engine_probe import EngineProbe
from plonedev.runtime.native import NativeRuntime
from plonedev.runtime.protocol import Runtime
from plonedev.runtimes.kind import Finding
from plonedev.varnish import ContainerAdmin, varnish_available

if TYPE_CHECKING:  # their modules load when the capability is used
    from plonedev.addons.environment import BackendEnvironment
    from plonedev.backend.site_storage import Places
    from plonedev.backend.snapshot import SnapshotKind
    from plonedev.sources import SourcesResult
    from plonedev.watch.executor import Executor


class Native:
    name = "native"
    native_programs = True

    def services(self, paths: ProjectPaths) -> Runtime:
        return NativeRuntime(paths)

    def prepare(
        self, running: RunningProject, synced: SourcesResult, reporter: Reporter, frontend: bool
    ) -> str:
        from plonedev.project_setup import prepare

        context = running.context
        prepare.environment(context, synced, reporter)
        # Only now, when the input is known to be good: a bad mx.ini writes nothing.
        password = ensure_admin_password(context.paths.admin_password_file)
        prepare.service_files(context, password)
        if frontend:
            prepare.frontend(context, reporter)
        return password

    def environment(self, context: ProjectContext) -> BackendEnvironment:
        from plonedev.addons.environment import NativeEnvironment

        return NativeEnvironment(context.paths)

    def data(self, running: RunningProject) -> list[str]:
        root = running.context.paths.root
        return [str(folder.relative_to(root)) for folder in _data_folders(running.context.paths)]

    def storage_places(self, running: RunningProject) -> Places:
        from plonedev.backend.site_storage import native_places

        return native_places(running.context.paths)

    def remove_data(
        self, running: RunningProject, reporter: Reporter
    ) -> tuple[list[str], list[str]]:
        """The folders in var/ go; the admin password stays, for the next site."""
        stopped = running.runtime.down(running.project, reporter.event)
        removed = self.data(running)
        for folder in _data_folders(running.context.paths):
            shutil.rmtree(folder)
        return stopped, removed

    def snapshot_kind(self, running: RunningProject) -> SnapshotKind:
        from plonedev.backend.snapshot import kind_for

        return kind_for(running.context.paths, running.context.config)

    def watcher(self, running: RunningProject) -> Executor:
        from plonedev.watch.executor import Executor
        from plonedev.watch.workspace import NativeWorkspace

        return Executor(running.runtime, NativeWorkspace(running.context, running.project))

    def findings(self, context: ProjectContext, engine: EngineProbe) -> list[Finding]:
        from plonedev.frontend.doctor import frontend_findings
        from plonedev.runtime.docker_doctor import docker_findings

        config, paths = context.config, context.paths
        found = docker_findings(config, paths.root, engine_answers=engine.answers, required=False)
        if config.storage is Storage.RELSTORAGE:
            programs = find_programs()
            missing = "not found (Debian: apt-get install postgresql)"
            postgres = programs.postgres if programs else missing
            found.append(("postgresql", programs is not None, postgres, True))
        if config.varnish:
            varnishd = varnish_available()
            missing = "not found (apt-get install varnish)"
            found.append(("varnishd", varnishd is not None, varnishd or missing, True))
        return found + frontend_findings(paths.root, config.frontend, paths.state, required=True)

    def purge_url(self, running: RunningProject) -> str:
        return f"http://{LOOPBACK}:{running.context.config.ports.varnish}"

    def varnish_admin(self, running: RunningProject) -> Path | ContainerAdmin:
        return running.context.paths.run / "varnish"  # varnishd's working directory


def _data_folders(paths: ProjectPaths) -> list[Path]:
    folders = (paths.filestorage.parent, paths.blobstorage, paths.zeo_data, paths.postgres_data)
    return [folder for folder in folders if folder.exists()]
