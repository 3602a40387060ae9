"""The native project as the watcher sees it: how to apply a change to local processes.

Installs and renders go through the same steps as `plonedev up` (plonedev.commands.
prepare), so a change applied by the watcher leaves the project exactly as an `up`
would. Each step reports nothing itself: the watcher prints one line per action.
"""

from __future__ import annotations

from pathlib import Path

from plonedev.credentials import ensure_admin_password
from plonedev.model import Role
from plonedev.model_builder import build_project
from plonedev.project_setup import prepare
from plonedev.project_setup.find_project import ProjectContext, load_project_config
from plonedev.report import QuietReporter
from plonedev.runtime.native import NativeRuntime
from plonedev.varnish import reload_vcl
from plonedev.watch.executor import InstallSummary, Reconfiguration
from plonedev.watch.project_workspace import ProjectWorkspace
from plonedev.watch.rules import BACKEND, VARNISH


class NativeWorkspace(ProjectWorkspace):
    """Local processes: uv installs the environment, the files go to .plonedev/."""

    # -- applying changes ---------------------------------------------------------------
    def install(self, *, sync: bool) -> InstallSummary:
        quiet = QuietReporter()
        synced = prepare.sources(self._context, quiet)
        result = prepare.environment(self._context, synced, quiet)
        self.refresh()
        if result.installed:
            text = f"reinstalled ({result.reason}, {result.seconds:.1f} s)"
        else:
            text = "the backend environment is up to date"
        if sync:
            text = f"synced sources, {text}"
        return InstallSummary(result.installed, text, tuple(quiet.warnings))

    def install_frontend(self) -> InstallSummary:
        quiet = QuietReporter()
        result = prepare.frontend(self._context, quiet)
        if result is None:
            return InstallSummary(False, "the project has no frontend")
        if result.installed:
            text = f"reinstalled its packages ({result.reason}, {result.seconds:.1f} s)"
        else:
            text = "its packages are up to date"
        return InstallSummary(result.installed, text, tuple(quiet.warnings))

    def reconfigure(self) -> Reconfiguration:
        paths = self._context.paths
        config = load_project_config(paths)
        context = ProjectContext(paths, config)
        project = build_project(config, paths)
        quiet = QuietReporter()
        synced = prepare.sources(context, quiet)
        installed = prepare.environment(context, synced, quiet).installed
        password = ensure_admin_password(paths.admin_password_file)
        changed = prepare.service_files(context, password)
        old = self._project
        self._context, self._project = context, project
        self.refresh()
        vcl = paths.instance / VARNISH / "default.vcl"
        return Reconfiguration(
            old=old,
            new=project,
            installed=installed,
            files_changed=frozenset(
                owner for path in changed if path != vcl and (owner := self._owner(path))
            ),
            vcl_changed=vcl in changed,
            warnings=tuple(quiet.warnings),
        )

    def _owner(self, path: Path) -> str | None:
        """The service that reads a generated file (None: no running service needs it)."""
        paths = self._context.paths
        if path == paths.instance / "inituser":
            return None  # Zope reads it once, on the first start, and deletes it
        if path.is_relative_to(paths.instance / VARNISH):
            return VARNISH
        if path.is_relative_to(paths.zeo_server):
            return Role.ZEO.value
        return BACKEND

    def reload_vcl(self) -> float:
        paths = self._context.paths
        seconds = reload_vcl(paths.run / VARNISH, paths.instance / VARNISH / "default.vcl").seconds
        NativeRuntime(paths).config_reloaded(self.project.service(VARNISH))
        return seconds
