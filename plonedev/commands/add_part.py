"""`plonedev add ADDON KIND NAME`: a new piece (content type, view...) in an add-on of sources/.

One transaction: the piece's files are written into the add-on's package (rendered from
plonedev's subtemplates, plus small edits of the ZCML and the profile), the backend takes
them in by the rules of `watch` (ZCML and profile files: a restart; Python alone: a code
reload, a restart when that does not take), the site gets what lives in its database (the
profile imported again) and is asked for the piece. If any step fails, the add-on's files
are put back byte for byte and the backend runs them again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from plonedev.addons.backend_control import BackendControl
from plonedev.addons.changes import reason, rolled_back, shown
from plonedev.addons.lock import change_lock
from plonedev.addons.part_site import PartSite
from plonedev.addons.parts import Kind, PartPlan, kind_of, part_name, plan_part
from plonedev.addons.transaction import Phase, Transaction
from plonedev.backend.site import site_exists
from plonedev.credentials import ensure_admin_password
from plonedev.errors import PlonedevError, ServiceError
from plonedev.model_builder import backend_url
from plonedev.project_setup.find_project import ProjectContext
from plonedev.report import Reporter
from plonedev.runtimes.registry import open_running_project
from plonedev.sources import list_sources
from plonedev.watch.changes import ChangeKind, FileChange
from plonedev.watch.docker_workspace import host_path
from plonedev.watch.reload import ReloadError, reload_code
from plonedev.watch.rules import BACKEND, Do, RuleContext, plan


@dataclass(frozen=True)
class PartResult:
    kind: Kind
    name: str
    addon: str
    files: tuple[str, ...]  # written or edited, relative to the project
    backend: str  # "restarted", "reloaded 2 modules", "" when it needed nothing
    url: str  # where the site shows the piece
    note: str  # why the site was not asked (no site yet, add-on not installed)
    seconds: float


def add_part(
    start: Path,
    addon: str,
    kind_text: str,
    name: str,
    reporter: Reporter,
    *,
    runtime: str | None = None,
) -> PartResult:
    started = time.monotonic()
    kind = kind_of(kind_text)
    part = part_name(kind, name)
    running = open_running_project(start, runtime)
    context = running.context
    checkout, folder = addon_folder(context, addon)
    change = plan_part(kind, part, addon, folder)  # refuses a piece that exists: nothing written
    with change_lock(context.paths.run, "add"):
        password = ensure_admin_password(context.paths.admin_password_file)
        config = context.config
        site = PartSite(backend_url(config), config.site_id, (config.admin_user, password))
        backend = BackendControl(running.runtime, running.project, reporter.event)
        if backend.was_running and site_exists(site.base_url, site.site_id, site.auth):
            site.refuse_taken(change)
        transaction = Transaction()
        if not backend.was_running:
            transaction.on_rollback(Phase.SETTLE, "services stopped again", backend.settle)
        try:
            _write(change, transaction, folder)
            reporter.info(f"Wrote {len(change.files)} files in {shown(folder, context.paths.root)}")
            transaction.on_rollback(
                Phase.SERVICES, "backend restarted on the previous files", backend.undo_restart
            )
            done = _take_in(change, context, checkout, backend, site, reporter)
            note = _in_site(change, site, reporter)
        except BaseException as error:
            reporter.info(f"add failed: putting the add-on back ({reason(error)})")
            raise rolled_back(error, transaction.rollback(), context.paths, "add") from error
        try:
            backend.settle()
        except PlonedevError as error:
            reporter.warn(f"could not stop the services started for the change: {error.message}")
    root = context.paths.root
    return PartResult(
        kind,
        part.name,
        addon,
        tuple(shown(path, root) for path in change.files),
        done,
        site.where(change),
        note,
        time.monotonic() - started,
    )


def addon_folder(context: ProjectContext, addon: str) -> tuple[Path, Path]:
    """The add-on's checkout in mx.ini and its package folder (the one with
    configure.zcml); PlonedevError when it is not an add-on in the sources."""
    spec = next((s for s in list_sources(context.paths.root) if s.name == addon), None)
    parts = addon.split(".")
    if spec is not None:
        for folder in (spec.path.joinpath("src", *parts), spec.path.joinpath(*parts)):
            if (folder / "configure.zcml").is_file():
                return spec.path, folder
    where = "is not in mx.ini's sources" if spec is None else "has no package with ZCML"
    raise PlonedevError(
        f"{addon} {where}",
        f"`plonedev add` changes an add-on of sources/: create one with `plonedev "
        f"create-addon {addon}`, or add your checkout with `plonedev add-addon {addon} --path`",
    )


def _write(change: PartPlan, transaction: Transaction, folder: Path) -> None:
    for new in change.new_folders:
        transaction.remove_on_rollback(new, folder)
    transaction.keep(change.files)
    for path, text in change.files.items():
        transaction.write(path, text)


def _take_in(
    change: PartPlan,
    context: ProjectContext,
    checkout: Path,
    backend: BackendControl,
    site: PartSite,
    reporter: Reporter,
) -> str:
    """What the backend needs for these files, by watch's rules; done; say what it was."""
    rules = RuleContext(
        root=context.paths.root,
        sources=(checkout,),
        sync_inputs=frozenset(),
        config_files=frozenset(),
        debug=context.config.debug,
    )
    # A new folder is a new package: watch restarts for it, as it does here.
    changes = [FileChange(ChangeKind.ADDED, path, is_dir=True) for path in change.new_folders]
    changes += [FileChange(ChangeKind.MODIFIED, path) for path in change.files]
    need = next((a.do for a in plan(changes, rules) if a.service == BACKEND), None)
    if need is None:
        return ""
    if need is Do.RELOAD_CODE and backend.was_running:
        try:
            reloaded = reload_code(site.base_url, *site.auth)
        except ReloadError as error:
            reporter.info(f"{error}: restarting the backend")
        else:
            # In Compose plone.reload names the container's files: map them back.
            seen = {host_path(context.paths.root, path) for path in reloaded.reloaded}
            if set(change.files) <= seen:
                return f"reloaded {len(reloaded.reloaded)} modules"
    try:
        backend.restart()
    except ServiceError as error:
        raise ServiceError(
            f"the backend does not start with the new {change.kind.value}: {error.message}",
            "fix the file the log names, or run the command again after it",
            error.details,
        ) from None
    return "restarted"


def _in_site(change: PartPlan, site: PartSite, reporter: Reporter) -> str:
    if not site_exists(site.base_url, site.site_id, site.auth):
        return f"no site {site.site_id!r} yet: `plonedev up` creates it"
    if change.profile_changed:
        if not site.installed(change.package):
            return (
                f"{change.package} is not installed in the site: installing it (Add-ons "
                "control panel) brings the new piece"
            )
        site.refuse_taken(change)  # again: the backend may have been started for the change
        reporter.info(f"Importing the profile {change.package}:default again")
        site.import_profile(change.package)
    site.verify(change)
    return ""
