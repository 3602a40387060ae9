"""The native runtime: local processes, the project's venv, the data in var/."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from plonedev.runtime.native import NativeRuntime

if TYPE_CHECKING:
    from pathlib import Path

    from plonedev.addons.environment import BackendEnvironment
    from plonedev.paths import ProjectPaths
    from plonedev.project_setup.context import ProjectContext, RunningProject
    from plonedev.report import Reporter
    from plonedev.runtime.base import Runtime
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
        from plonedev.credentials import ensure_admin_password
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

    def remove_data(
        self, running: RunningProject, reporter: Reporter
    ) -> tuple[list[str], list[str]]:
        """The folders in var/ go; the admin password stays, for the next site."""
        stopped = running.runtime.down(running.project, reporter.event)
        removed = self.data(running)
        for folder in _data_folders(running.context.paths):
            shutil.rmtree(folder)
        return stopped, removed

    def watcher(self, running: RunningProject) -> Executor:
        from plonedev.watch.executor import Executor
        from plonedev.watch.workspace import NativeWorkspace

        return Executor(running.runtime, NativeWorkspace(running.context, running.project))


def _data_folders(paths: ProjectPaths) -> list[Path]:
    folders = (paths.filestorage.parent, paths.blobstorage, paths.zeo_data, paths.postgres_data)
    return [folder for folder in folders if folder.exists()]
