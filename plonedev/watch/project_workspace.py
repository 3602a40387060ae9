"""What both runtimes' workspaces share: what to watch, and the backend's code reload.

A workspace is the project as the watcher sees it (plonedev.watch.executor.Workspace);
the native one applies changes to local processes (plonedev.watch.workspace), the
Docker one to Compose services (plonedev.watch.docker_workspace).
"""

from __future__ import annotations

from pathlib import Path

from plonedev.credentials import ensure_admin_password
from plonedev.errors import PlonedevError
from plonedev.files import file_digest
from plonedev.model import Project
from plonedev.model_builder import backend_url
from plonedev.paths import ProjectPaths
from plonedev.project_setup.find_project import ProjectContext
from plonedev.sources import list_sources
from plonedev.sources.inputs import requirement_inputs
from plonedev.watch.changes import FileChange
from plonedev.watch.filter import WatchSpec
from plonedev.watch.reload import CodeReload, reload_code
from plonedev.watch.rules import FRONTEND_INSTALL_FILES, RuleContext


class ProjectWorkspace:
    def __init__(self, context: ProjectContext, project: Project) -> None:
        self._context = context
        self._project = project
        # Files plonedev itself writes in watched folders, by the digest of what it wrote
        # (or what the running service was last given): saving them again is no change.
        self._settled: dict[Path, str] = {}
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

    def vcl_files(self) -> frozenset[Path]:
        """The VCL files a user edits and the running Varnish loads (none by default)."""
        return frozenset()

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
            vcl=self.vcl_files(),
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

    def is_settled(self, change: FileChange) -> bool:
        """True when `change` leaves a file as plonedev last wrote or applied it: the
        echo of the watcher's own writes, or a save that changed nothing."""
        return self._is_settled(change.path)

    def _is_settled(self, path: Path) -> bool:
        known = self._settled.get(path)
        return known is not None and known == file_digest(path)

    def _settle(self, *paths: Path) -> None:
        for path in paths:
            self._settled[path] = file_digest(path)

    # -- the backend's code -------------------------------------------------------------
    def reload_code(self) -> CodeReload:
        config = self._context.config
        password = ensure_admin_password(self.paths.admin_password_file)
        return reload_code(backend_url(config), config.admin_user, password)
