"""`plonedev remove-addon`: the reverse of add-addon, in the reverse order.

The profile is uninstalled from the site first (while the add-on's code still runs), then
the config loses the add-on (its tool.plonedev.addons entry or mx.ini section, its
profiles, its ZCML include), the environment loses the add-on and the packages only it
needed, and the backend restarts without it. A failure puts everything back, the profile
included. Uninstalling a profile changes the site: an automatic snapshot saves its data
first (unless `snapshot` is off). A clean git checkout in sources/ is deleted at the very
end; one with local work is kept, and the result says so.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from plonedev.addons import mxini_edit, pyproject_edit
from plonedev.addons.backend_control import BackendControl
from plonedev.addons.changes import changed_files, reopen, rolled_back, shown
from plonedev.addons.environment import EnvironmentSnapshot
from plonedev.addons.inventory import ConfiguredAddon, find_addon
from plonedev.addons.lock import change_lock
from plonedev.addons.request import canonical as _canonical
from plonedev.addons.site_api import SiteAddons
from plonedev.addons.timing import StepTime, Timeline
from plonedev.addons.transaction import Phase, Transaction
from plonedev.backend.site import site_exists
from plonedev.commands.snapshot import safety_snapshot
from plonedev.credentials import ensure_admin_password
from plonedev.errors import PlonedevError
from plonedev.model_builder import backend_url
from plonedev.paths import ProjectPaths
from plonedev.project_setup import prepare
from plonedev.report import Reporter
from plonedev.runtimes.registry import open_running_project, runtime_kind
from plonedev.sources import is_dirty


@dataclass(frozen=True)
class RemoveResult:
    name: str
    import_name: str | None
    edits: tuple[str, ...]
    uninstalled: tuple[str, ...]  # distributions removed from the environment
    environment: str
    profile: str  # the profile uninstalled from the site, "" for none
    profile_note: str
    checkout_removed: Path | None
    checkout_kept: Path | None
    site: str
    steps: tuple[StepTime, ...]
    seconds: float
    warnings: tuple[str, ...] = field(default=())


def remove_addon(
    start: Path,
    name: str,
    reporter: Reporter,
    *,
    uninstall_profile: bool = True,
    runtime: str | None = None,
    snapshot: bool = True,
) -> RemoveResult:
    started = time.monotonic()
    running = open_running_project(start, runtime)
    context = running.context
    paths, config = context.paths, context.config
    environment = runtime_kind(running.resolution.name).environment(context)
    timeline = Timeline(reporter)
    with change_lock(paths.run, "remove-addon"):
        addon = find_addon(context, name)
        if addon is None:
            raise PlonedevError(
                f"{name} is not one of the project's add-ons",
                "`plonedev addons` lists them",
            )
        info = environment.probe([addon.name])[addon.name]
        import_name = info.import_name
        password = ensure_admin_password(paths.admin_password_file)
        auth = (config.admin_user, password)
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
        edits: list[str] = []
        profile, profile_note = "", ""
        warnings: list[str] = []
        uninstalled: tuple[str, ...] = ()
        if snapshot and uninstall_profile and import_name:
            safety_snapshot(running, "remove-addon", reporter)
        packages_before: EnvironmentSnapshot | None = None
        try:
            if uninstall_profile and import_name:
                with timeline.timed("start"):
                    backend.ensure_running()  # the site is reached through the backend
                profile, profile_note = _uninstall_profile(
                    SiteAddons(backend_url(config), config.site_id, auth),
                    import_name,
                    transaction,
                    timeline,
                )
            elif not uninstall_profile:
                profile_note = "left installed in the site (--keep-profile)"
            with timeline.step("config", f"Removing {addon.name} from the project's config"):
                edits = _edit_config(addon, import_name, context.paths, transaction)
                context = reopen(context)
            with timeline.timed("sources"):
                synced = prepare.sources(context, reporter)
            packages_before = previous = environment.snapshot()
            transaction.on_rollback(
                Phase.ENVIRONMENT,
                f"{environment.description} restored to its previous packages",
                lambda: environment.restore(previous),
            )
            with timeline.timed("install"):
                environment.install(context, synced, reporter)
            with timeline.step(
                "uninstall", f"Uninstalling {addon.name} from {environment.description}"
            ):
                uninstalled = environment.prune(synced)
            if info.installed and _canonical(info.dist_name) not in map(_canonical, uninstalled):
                warnings.append(
                    f"{info.dist_name} stays in {environment.description}: "
                    "another installed package requires it"
                )
            environment.write_files(context, password)
            transaction.on_rollback(
                Phase.SERVICES, "backend restarted on the previous set", backend.undo_restart
            )
            with timeline.timed("restart"):
                backend.restart()
        except BaseException as error:
            reporter.info("remove-addon failed: putting everything back")
            raise rolled_back(error, transaction.rollback(), paths, "remove-addon") from error
        if packages_before is not None:
            environment.release(packages_before)
        _settle(backend, reporter)
        removed, kept, note = _tidy_checkout(addon, paths.root)
        warnings += note
    return RemoveResult(
        name=addon.name,
        import_name=import_name,
        edits=tuple(edits),
        uninstalled=uninstalled,
        environment=environment.description,
        profile=profile,
        profile_note=profile_note,
        checkout_removed=removed,
        checkout_kept=kept,
        site=config.site_id,
        steps=tuple(timeline.steps),
        seconds=time.monotonic() - started,
        warnings=tuple(warnings),
    )


def _uninstall_profile(
    site: SiteAddons, import_name: str, transaction: Transaction, timeline: Timeline
) -> tuple[str, str]:
    """(the profile uninstalled, or a note saying why none was)."""
    site_id = site.site_id
    if not site_exists(site.base_url, site_id, site.auth):
        return "", f"no site {site_id!r}: nothing to uninstall"
    addon = site.get(import_name)
    if addon is None or not addon.is_installed:
        return "", f"{import_name} was not installed in the site"
    with timeline.step("profile", f"Uninstalling {addon.install_profile_id} from {site_id!r}"):
        site.uninstall(import_name)
    transaction.on_rollback(
        Phase.SITE,
        f"{addon.install_profile_id} installed again",
        lambda: _reinstall(site, import_name),
    )
    return addon.install_profile_id, ""


def _reinstall(site: SiteAddons, import_name: str) -> None:
    site.install(import_name)


def _edit_config(
    addon: ConfiguredAddon, import_name: str | None, paths: ProjectPaths, transaction: Transaction
) -> list[str]:
    edits: list[str] = []
    pyproject = paths.pyproject
    text = pyproject.read_text(encoding="utf-8")
    if addon.origin == "index":
        text, gone = pyproject_edit.remove_from_list(
            text, "addons", lambda value: value == addon.requirement
        )
        edits += [f"pyproject.toml: tool.plonedev.addons -= {value!r}" for value in gone]
    else:
        mx_text = paths.mx_ini.read_text(encoding="utf-8")
        if addon.name not in mxini_edit.section_names(mx_text):
            raise PlonedevError(
                f"[{addon.name}] comes from a file mx.ini includes, not from mx.ini itself",
                "remove the section from that file (plonedev edits only mx.ini)",
            )
        transaction.write(paths.mx_ini, mxini_edit.remove_section(mx_text, addon.name))
        edits.append(f"mx.ini: [{addon.name}] removed")
    if import_name:
        text, gone = pyproject_edit.remove_from_list(
            text, "profiles", lambda value: _profile_product(value) == import_name
        )
        edits += [f"pyproject.toml: tool.plonedev.profiles -= {value!r}" for value in gone]
        text, gone = pyproject_edit.remove_from_list(
            text, "zcml-includes", lambda value: value == import_name
        )
        edits += [f"pyproject.toml: tool.plonedev.zcml-includes -= {value!r}" for value in gone]
    if text != pyproject.read_text(encoding="utf-8"):
        transaction.write(pyproject, text)
    return edits


def _profile_product(profile: str) -> str:
    return profile.removeprefix("profile-").partition(":")[0]


def _tidy_checkout(
    addon: ConfiguredAddon, root: Path
) -> tuple[Path | None, Path | None, list[str]]:
    """Delete a clean git checkout of the add-on; keep one with local work (and say so).
    A `vcs = fs` folder is the user's code: never touched."""
    spec = addon.spec
    if spec is None or spec.vcs != "git" or not spec.path.is_dir():
        return None, None, []
    reason = is_dirty(spec.path)
    if reason:
        return (
            None,
            spec.path,
            [f"{shown(spec.path, root)} kept: {reason}; delete it yourself when done with it"],
        )
    shutil.rmtree(spec.path)
    return spec.path, None, []


def _settle(backend: BackendControl, reporter: Reporter) -> None:
    """Stop what the change started; the change itself is done, so a failure only warns."""
    try:
        backend.settle()
    except PlonedevError as error:
        reporter.warn(f"could not stop the services started for the change: {error.message}")
