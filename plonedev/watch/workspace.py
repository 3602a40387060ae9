"""The native project as the watcher sees it: what to watch, and how to apply a change.

Installs and renders go through the same steps as `plonedev up` (plonedev.commands.
prepare), so a change applied by the watcher leaves the project exactly as an `up`
would. Each step reports nothing itself: the watcher prints one line per action.
"""

from __future__ import annotations

from pathlib import Path

from plonedev.commands import prepare
from plonedev.commands.context import ProjectContext
from plonedev.config import load_config
from plonedev.credentials import ensure_admin_password
from plonedev.errors import PlonedevError
from plonedev.model import Project
from plonedev.paths import ProjectPaths
from plonedev.project import backend_url, build_project
from plonedev.report import QuietReporter
from plonedev.sources import list_sources
from plonedev.sources.inputs import requirement_inputs
from plonedev.varnish import reload_vcl
from plonedev.watch.executor import InstallSummary, Reconfiguration
from plonedev.watch.filter import WatchSpec
from plonedev.watch.reload import CodeReload, reload_code
from plonedev.watch.rules import FRONTEND_INSTALL_FILES, RuleContext

VARNISH = "varnish"


class NativeWorkspace:
    def __init__(self, context: ProjectContext, project: Project) -> None:
        self._context = context
        self._project = project
        self._rules = self._read_rule_context()

    @property
    def project(self) -> Project:
        return self._project

    @property
    def paths(self) -> ProjectPaths:
        return self._context.paths

    @property
    def root(self) -> Path:
        return self._context.paths.root

    # -- what to watch ------------------------------------------------------------------
    def rule_context(self) -> RuleContext:
        return self._rules

    def refresh(self) -> None:
        """Read mx.ini and the requirement files again (after a change to them)."""
        self._rules = self._read_rule_context()

    def _read_rule_context(self) -> RuleContext:
        paths, config = self._context.paths, self._context.config
        root = paths.root
        frontend = (root / config.frontend).resolve() if config.frontend else None
        return RuleContext(
            root=root,
            sources=tuple(spec.path for spec in list_sources(root)),
            sync_inputs=frozenset({paths.mx_ini, *self._requirement_files()}),
            config_files=frozenset({paths.pyproject}),
            compose=paths.compose_dir,
            frontend=frontend,
            debug=config.debug,
        )

    def _requirement_files(self) -> set[Path]:
        """requirements.txt, a local constraints file, and the files they refer to."""
        paths, config = self._context.paths, self._context.config
        starts = [paths.root / "requirements.txt"]
        if config.constraints and not config.constraints_is_url:
            starts.append((paths.root / config.constraints).resolve())
        found: set[Path] = set()
        for start in starts:
            found.add(start)
            try:
                found.update(requirement_inputs(start, paths.root).files)
            except PlonedevError:
                continue  # missing now: watched for when it appears; `up` reports it
        return {path for path in found if not path.is_relative_to(paths.state)}

    def watch_spec(self) -> WatchSpec:
        rules, paths = self._rules, self._context.paths
        trees = [paths.sources]
        trees += [s for s in rules.sources if not s.is_relative_to(paths.sources)]
        if rules.compose is not None:
            trees.append(rules.compose)
        files = set(rules.sync_inputs | rules.config_files)
        if rules.frontend is not None:
            files.update(rules.frontend / name for name in FRONTEND_INSTALL_FILES)
        return WatchSpec(root=paths.root, trees=tuple(trees), files=frozenset(files))

    # -- applying changes ---------------------------------------------------------------
    def reload_code(self) -> CodeReload:
        config = self._context.config
        password = ensure_admin_password(self.paths.admin_password_file)
        return reload_code(backend_url(config), config.admin_user, password)

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

    def reconfigure(self) -> Reconfiguration:
        paths = self._context.paths
        config = load_config(paths.pyproject)
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
            return "zeo"
        return "backend"

    def reload_vcl(self) -> float:
        paths = self._context.paths
        return reload_vcl(paths.run / VARNISH, paths.instance / VARNISH / "default.vcl").seconds
