"""`plonedev add-addon`: put an add-on into the project, its environment and its site.

One transaction: the config is edited (tool.plonedev.addons, or an mx.ini section for a
git or local source), the sources are checked out, the backend environment installs the
add-on, Zope gets a ZCML include if the add-on has no plone.autoinclude entry point, the
backend restarts and the add-on's profile is installed in the site. If any step fails,
everything is put back (files byte for byte, the environment's exact package set, the
backend on the previous set) and the error says what failed and what was undone.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from plonedev.addons import mxini_edit, pyproject_edit
from plonedev.addons.backend_control import BackendControl
from plonedev.addons.changes import changed_files, reason, reopen, rolled_back, shown
from plonedev.addons.environment import (
    BackendEnvironment,
    DistInfo,
    EnvironmentSnapshot,
)
from plonedev.addons.gitremote import remote_branch
from plonedev.addons.inventory import configured_addons
from plonedev.addons.lock import change_lock
from plonedev.addons.request import AddonRequest, Origin, parse_request
from plonedev.addons.site_api import SiteAddons
from plonedev.addons.timing import StepTime, Timeline
from plonedev.addons.transaction import Phase, Transaction
from plonedev.backend.site import site_exists
from plonedev.config import constraints_source
from plonedev.credentials import ensure_admin_password
from plonedev.errors import PlonedevError, ServiceError
from plonedev.model_builder import backend_url
from plonedev.project_setup import prepare
from plonedev.project_setup.find_project import ProjectContext
from plonedev.report import Reporter
from plonedev.runtimes.registry import open_running_project, runtime_kind
from plonedev.sources import list_sources


@dataclass(frozen=True)
class AddResult:
    name: str  # the distribution, as its metadata spells it
    version: str
    origin: Origin
    import_name: str | None
    edits: tuple[str, ...]  # "pyproject.toml: tool.plonedev.addons += 'collective.foo'"
    checkout: Path | None  # where the code is, for git and path add-ons
    environment: str  # where it was installed: ".plonedev/venv"
    profile: str  # the profile installed in the site, "" for none
    profile_note: str  # why no profile was installed
    site: str
    steps: tuple[StepTime, ...]
    seconds: float
    warnings: tuple[str, ...] = field(default=())


def add_addon(
    start: Path,
    name: str,
    reporter: Reporter,
    *,
    git: str | None = None,
    branch: str | None = None,
    tag: str | None = None,
    path: Path | None = None,
    install_profile: bool = True,
    runtime: str | None = None,
    extras: str = "",
) -> AddResult:
    started = time.monotonic()
    request = parse_request(name, git=git, branch=branch, tag=tag, path=path, cwd=start)
    if extras:
        request = replace(request, extras=extras)
    running = open_running_project(start, runtime)
    context = running.context
    paths = context.paths
    environment = runtime_kind(running.resolution.name).environment(context)
    timeline = Timeline(reporter)
    with change_lock(paths.run, "add-addon"):
        _refuse_duplicates(request, context)
        if request.origin is Origin.GIT:
            with timeline.step("remote", f"Asking {request.url} for its branches"):
                branch_name = remote_branch(request.url, branch=request.branch, tag=request.tag)
        else:
            branch_name = ""
        password = ensure_admin_password(paths.admin_password_file)
        transaction = Transaction()
        transaction.keep(changed_files(context, environment))
        backend = BackendControl(
            running.runtime,
            running.project,
            reporter.event,
            recreate=environment.recreates_backend,
        )
        if not backend.was_running:
            transaction.on_rollback(Phase.SETTLE, "services stopped again", backend.settle)
        change = _Change(request, context, environment, transaction, timeline, reporter)
        try:
            change.edit_config(branch_name)
            change.install()
            change.include_zcml()
            environment.write_files(change.context, password)
            transaction.on_rollback(
                Phase.SERVICES, "backend restarted on the previous set", backend.undo_restart
            )
            with timeline.timed("restart"):
                try:
                    backend.restart()
                except ServiceError as error:
                    raise ServiceError(
                        f"the backend does not start with {request.name}: {error.message}",
                        error.hint,
                        error.details,
                    ) from None
            if install_profile:
                change.install_profile((change.context.config.admin_user, password))
            else:
                change.profile_note = "not installed in the site (--no-install)"
        except BaseException as error:
            reporter.info(f"add-addon failed: putting everything back ({reason(error)})")
            raise rolled_back(error, transaction.rollback(), paths, "add-addon") from error
        if change.snapshot is not None:
            environment.release(change.snapshot)
        _settle(backend, reporter)
    info = change.info
    return AddResult(
        name=info.dist_name if info else request.name,
        version=info.version if info else "",
        origin=request.origin,
        import_name=info.import_name if info else None,
        edits=tuple(change.edits),
        checkout=change.checkout,
        environment=environment.description,
        profile=change.profile,
        profile_note=change.profile_note,
        site=context.config.site_id,
        steps=tuple(timeline.steps),
        seconds=time.monotonic() - started,
        warnings=tuple(change.warnings),
    )


class _Change:
    """The steps of one add-on change, each recording how to undo itself."""

    def __init__(
        self,
        request: AddonRequest,
        context: ProjectContext,
        environment: BackendEnvironment,
        transaction: Transaction,
        timeline: Timeline,
        reporter: Reporter,
    ) -> None:
        self.request = request
        self.context = context
        self.environment = environment
        self.transaction = transaction
        self.timeline = timeline
        self.reporter = reporter
        self.edits: list[str] = []
        self.warnings: list[str] = []
        self.checkout: Path | None = None
        self.info: DistInfo | None = None
        self.snapshot: EnvironmentSnapshot | None = None
        self.profile = ""
        self.profile_note = ""

    def edit_config(self, branch: str) -> None:
        request, paths = self.request, self.context.paths
        with self.timeline.step(
            "config", f"Adding {request.requirement or request.name} to the project's config"
        ):
            if request.origin is Origin.INDEX:
                self._edit_pyproject("addons", request.requirement)
            else:
                text = _read(paths.mx_ini) or mxini_edit.NEW_FILE
                values = _mx_section(request, paths.root, default_target(text, paths.root), branch)
                self.transaction.write(
                    paths.mx_ini, mxini_edit.add_section(text, request.name, values)
                )
                self.edits.append(
                    f"mx.ini: [{request.name}] ({', '.join(f'{k} = {v}' for k, v in values)})"
                )
            self.context = reopen(self.context)  # the new config must load, or nothing changes
            if request.origin is not Origin.INDEX:
                self.checkout = _checkout(self.context, request)

    def install(self) -> None:
        request = self.request
        if self.checkout is not None and request.origin is Origin.GIT:
            self.transaction.remove_on_rollback(self.checkout, self.context.paths.root)
        with self.timeline.timed("sources"):
            synced = prepare.sources(self.context, self.reporter)
        self.warnings += synced.warnings
        snapshot = self.snapshot = self.environment.snapshot()
        self.transaction.on_rollback(
            Phase.ENVIRONMENT,
            f"{self.environment.description} restored to its previous packages",
            lambda: self.environment.restore(snapshot),
        )
        with self.timeline.timed("install"):
            try:
                self.environment.install(self.context, synced, self.reporter)
            except PlonedevError as error:
                raise PlonedevError(
                    f"cannot install {request.name}: {error.message}",
                    _install_hint(error, self.context),
                    error.details,  # the tool's own words, shown above the line
                ) from None
        info = self.environment.probe([request.name])[request.name]
        if not info.installed:
            where = f"the code at {request.url or request.path}"
            raise PlonedevError(
                f"{where} installed no distribution named {request.name}",
                "use the name from the package's pyproject.toml ([project] name)",
            )
        self.info = info

    def include_zcml(self) -> None:
        info = self.info
        if info is None or not info.needs_zcml_include or info.import_name is None:
            return
        if info.import_name in self.context.config.zcml_includes:
            return
        self._edit_pyproject("zcml-includes", info.import_name)
        self.context = reopen(self.context)

    def install_profile(self, auth: tuple[str, str]) -> None:
        info, config = self.info, self.context.config
        if info is None or info.import_name is None:
            self.profile_note = "no ZCML package: nothing for Plone to load or install"
            return
        base = backend_url(config)
        if not site_exists(base, config.site_id, auth):
            self.profile_note = (
                f"no site {config.site_id!r} yet: `plonedev up` creates it; then install "
                "the add-on from the site's Add-ons control panel"
            )
            return
        site = SiteAddons(base, config.site_id, auth)
        addon = site.get(info.import_name)
        if addon is None:
            self.profile_note = (
                f"the site does not list {info.import_name} as an add-on: it has no "
                "GenericSetup profile to install"
            )
            return
        profile = addon.install_profile_id
        # Recorded first, so a failed install rolls the record back with the rest; a new
        # site gets the profile on `plonedev up`.
        if profile and profile not in config.profiles:
            self._edit_pyproject("profiles", profile)
        if addon.is_installed:
            self.profile_note = f"{profile} was installed in the site already"
            return
        with self.timeline.step("profile", f"Installing {profile} in the site {config.site_id!r}"):
            site.install(info.import_name)
        self.profile = profile

    def _edit_pyproject(self, key: str, value: str) -> None:
        pyproject = self.context.paths.pyproject
        text = pyproject.read_text(encoding="utf-8")
        self.transaction.write(pyproject, pyproject_edit.add_to_list(text, key, value))
        self.edits.append(f"pyproject.toml: tool.plonedev.{key} += {value!r}")


def _refuse_duplicates(request: AddonRequest, context: ProjectContext) -> None:
    for addon in configured_addons(context):
        if addon.key == request.key:
            raise PlonedevError(
                f"{request.name} is in the project already ({addon.where})",
                f"remove it first (`plonedev remove-addon {addon.name}`) to add it another way",
            )
    for section in mxini_edit.section_names(_read(context.paths.mx_ini)):
        if section == request.name:
            raise PlonedevError(f"mx.ini has a [{section}] section already", "remove it first")


def _mx_section(
    request: AddonRequest, root: Path, target: str, branch: str
) -> list[tuple[str, str]]:
    if request.origin is Origin.GIT:
        return [("url", request.url), ("rev", request.tag) if request.tag else ("branch", branch)]
    assert request.path is not None
    folder = request.path
    # mxdev's vcs = fs wants url = the folder's name, and the folder at target/name unless
    # `path` says where it is: a package outside sources/ needs no symlink.
    values = [("url", folder.name), ("vcs", "fs")]
    if folder != (root / target / request.name).resolve():
        where = os.path.relpath(folder, root) if folder.is_relative_to(root) else str(folder)
        values.append(("path", where))
    if request.extras:
        values.append(("extras", request.extras))
    return values


def default_target(text: str, root: Path) -> str:
    """mx.ini's default-target (where mxdev puts checkouts), read as mxdev reads it."""
    import configparser

    parser = configparser.ConfigParser(default_section="settings", interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return "sources"  # list_sources reports what is wrong once the file is read
    return parser.defaults().get("default-target", "sources").strip() or "sources"


def _checkout(context: ProjectContext, request: AddonRequest) -> Path:
    spec = next(s for s in list_sources(context.paths.root) if s.name == request.name)
    if request.origin is Origin.GIT and spec.path.exists():
        raise PlonedevError(
            f"{shown(spec.path, context.paths.root)} exists already",
            "move it away, or add it with --path to use that folder",
        )
    return spec.path


def _install_hint(error: PlonedevError, context: ProjectContext) -> str:
    text = f"{error.message}\n{error.details}".lower()
    if "not found in the package registry" in text or "no matching distribution" in text:
        return "check the name on the package index, or add it from git with --git"
    if "no solution found" in text or "unsatisfiable" in text:
        source = constraints_source(context.config, context.paths.root)
        constraints = source if "://" in source else shown(Path(source), context.paths.root)
        return (
            f"the add-on (or one of its requirements) asks for a version that the "
            f"constraints ({constraints}) pin differently: choose a version that fits them"
        )
    return error.hint


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _settle(backend: BackendControl, reporter: Reporter) -> None:
    """Stop what the change started; the change itself is done, so a failure only warns."""
    try:
        backend.settle()
    except PlonedevError as error:
        reporter.warn(f"could not stop the services started for the change: {error.message}")
