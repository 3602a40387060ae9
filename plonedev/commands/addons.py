"""`plonedev addons`: each add-on of the config, and how far it got.

In the config (where), checked out (and whether it has local work), installed in the
backend environment (which version, under which import name), and its profile installed
in the site (asked of the running site's @addons; "unknown" when the backend is down).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from plonedev.addons.environment import DistInfo
from plonedev.addons.inventory import ConfiguredAddon, configured_addons
from plonedev.addons.site_api import SiteAddon, SiteAddons
from plonedev.backend.site import site_exists
from plonedev.credentials import ensure_admin_password
from plonedev.errors import PlonedevError
from plonedev.model import Role
from plonedev.model_builder import backend_url
from plonedev.runtime.protocol import State
from plonedev.runtimes.registry import open_running_project, runtime_kind
from plonedev.sources import is_dirty


@dataclass(frozen=True)
class AddonStatus:
    name: str
    origin: str  # "index", "git", "path" (or another mx.ini vcs)
    where: str  # "pyproject.toml: tool.plonedev.addons", "mx.ini: [name]"
    requirement: str  # the requirement, or the git url / folder name
    ref: str  # git: the branch followed or the rev pinned
    checkout: str  # "" (index), "checked out", "not checked out", "folder", "missing folder"
    checkout_path: str
    dirty: str  # why the checkout has local work, "" when clean
    installed: str  # the installed version, "" when not installed
    import_name: str
    profile: str  # "installed", "not installed", "no profile", "unknown"
    detail: str  # why the profile state is unknown


@dataclass(frozen=True)
class AddonsResult:
    project: str
    site: str
    site_state: str  # "answers", "backend not running", "no site", or the error
    addons: tuple[AddonStatus, ...]


def list_addons(start: Path, runtime: str | None = None) -> AddonsResult:
    running = open_running_project(start, runtime)
    context = running.context
    paths, config = context.paths, context.config
    addons = configured_addons(context)
    try:
        environment = runtime_kind(running.resolution.name).environment(context)
        infos = environment.probe([addon.name for addon in addons])
    except PlonedevError:
        infos = {}
    backend = next(
        (s for s in running.runtime.status(running.project) if s.name == Role.BACKEND.value), None
    )
    site_addons: dict[str, SiteAddon] | None = None
    if backend is None or backend.state is not State.RUNNING:
        site_state = "backend not running"
    else:
        auth = (config.admin_user, ensure_admin_password(paths.admin_password_file))
        try:
            if site_exists(backend_url(config), config.site_id, auth):
                site_addons = SiteAddons(backend_url(config), config.site_id, auth).list()
                site_state = "answers"
            else:
                site_state = "no site"
        except PlonedevError as error:
            site_state = error.message
    statuses = tuple(
        _status(addon, infos.get(addon.name), site_addons, site_state, paths.root)
        for addon in addons
    )
    return AddonsResult(running.project.name, config.site_id, site_state, statuses)


def _status(
    addon: ConfiguredAddon,
    info: DistInfo | None,
    site: dict[str, SiteAddon] | None,
    site_state: str,
    root: Path,
) -> AddonStatus:
    checkout, path, dirty, ref = "", "", "", ""
    if addon.spec is not None:
        ref = (addon.spec.rev or addon.spec.branch or "") if addon.spec.vcs != "fs" else ""
        folder = addon.spec.path
        path = str(folder.relative_to(root)) if folder.is_relative_to(root) else str(folder)
        if addon.spec.vcs == "fs":
            checkout = "folder" if folder.is_dir() else "missing folder"
        else:
            checkout = "checked out" if folder.is_dir() else "not checked out"
            dirty = (is_dirty(folder) or "") if folder.is_dir() else ""
    installed = info.version if info is not None and info.installed else ""
    import_name = (info.import_name or "") if info is not None else ""
    if site is None:
        profile, detail = "unknown", site_state
    elif not import_name:
        profile, detail = "unknown", "not installed in the environment"
    elif import_name not in site:
        profile, detail = "no profile", ""
    else:
        profile = "installed" if site[import_name].is_installed else "not installed"
        detail = site[import_name].install_profile_id
    return AddonStatus(
        name=addon.name,
        origin=addon.origin,
        where=addon.where,
        requirement=addon.requirement,
        ref=ref,
        checkout=checkout,
        checkout_path=path,
        dirty=dirty,
        installed=installed,
        import_name=import_name,
        profile=profile,
        detail=detail,
    )
