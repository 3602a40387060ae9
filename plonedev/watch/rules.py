"""Fold a batch of changed paths into the fewest actions, at most one per service.

Pure functions: what a change means depends only on where the file is and what kind
it is, never on the running services. The executor decides how an action is carried
out (a code reload that does not take falls back to a restart there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from plonedev.model import Role
from plonedev.watch.changes import ChangeKind, FileChange

PROJECT = "project"  # the pseudo-service of actions on the whole project
# The services the rules act on, named after their roles.
BACKEND = Role.BACKEND.value
FRONTEND = Role.FRONTEND.value
VARNISH = Role.VARNISH.value

# A source's own metadata: what gets installed from it (its dependencies, entry points).
METADATA_FILES = frozenset({"pyproject.toml", "setup.py", "setup.cfg"})
# Read once when Zope starts (ZCML, translations); or, outside debug mode, cached.
RESTART_SUFFIXES = frozenset({".zcml", ".po", ".mo"})
TEMPLATE_SUFFIXES = frozenset({".pt", ".cpt", ".zpt"})
# Folders whose files Zope reads at start-up: GenericSetup profiles, translations.
RESTART_FOLDERS = frozenset({"profiles", "locales", "i18n"})
FRONTEND_INSTALL_FILES = frozenset(
    {"package.json", "yarn.lock", "pnpm-lock.yaml", "package-lock.json", "mrs.developer.json"}
)


class Do(StrEnum):
    """What to do to a service, weakest first: a stronger one includes the weaker ones."""

    RELOAD_CODE = "reload-code"  # plone.reload: re-execute changed modules in place
    RELOAD_VCL = "reload-vcl"  # varnishadm vcl.load + vcl.use: the cache stays
    RESTART = "restart"
    REINSTALL = "reinstall"  # install the environment again, then restart
    SYNC = "sync"  # sources (mxdev) and the environment again, then restart
    RECONFIGURE = "reconfigure"  # the project: render again, restart what changed

    @property
    def rank(self) -> int:
        return list(Do).index(self)


@dataclass(frozen=True)
class RuleContext:
    root: Path
    sources: tuple[Path, ...]  # the checkouts of mx.ini's packages
    sync_inputs: frozenset[Path]  # mx.ini, requirements.txt, local constraints files
    config_files: frozenset[Path]  # pyproject.toml
    compose: Path | None = None  # compose/
    frontend: Path | None = None  # the Volto project
    debug: bool = True  # plone.reload and template reloading work (Zope debug mode)
    vcl: frozenset[Path] = frozenset()  # the VCL files the running Varnish loads


@dataclass(frozen=True)
class Action:
    service: str
    do: Do
    triggers: tuple[Path, ...]  # the causes of `do` first, then every other change


def classify(change: FileChange, ctx: RuleContext) -> tuple[str, Do] | None:
    """What one change asks for, or None when it needs nothing."""
    path = change.path
    if path in ctx.vcl:  # before compose/: the VCL lives in compose/varnish/
        return VARNISH, Do.RELOAD_VCL
    if path in ctx.config_files or (ctx.compose and path.is_relative_to(ctx.compose)):
        return PROJECT, Do.RECONFIGURE
    if path in ctx.sync_inputs:
        return BACKEND, Do.SYNC
    for source in ctx.sources:
        if path.is_relative_to(source):
            need = _source_change(change, path.relative_to(source), ctx.debug)
            return (BACKEND, need) if need else None
    if ctx.frontend and path.is_relative_to(ctx.frontend):
        if path.parent == ctx.frontend and path.name in FRONTEND_INSTALL_FILES:
            return FRONTEND, Do.REINSTALL
        return None  # Volto's development server reloads its own code
    return None


def _source_change(change: FileChange, rel: Path, debug: bool) -> Do | None:
    if len(rel.parts) == 1 and rel.name in METADATA_FILES:
        return Do.REINSTALL
    if change.is_dir:
        # A new folder may be a new package whose files appeared before the folder was
        # watched: only a restart is sure to see them.
        return Do.RESTART if change.kind is ChangeKind.ADDED else None
    suffix = rel.suffix
    if suffix == ".py":
        if change.kind is ChangeKind.DELETED or not debug:
            return Do.RESTART
        # An added .py is usually an editor's atomic save of a loaded module; a truly new
        # module is not reloaded by plone.reload, and the executor then restarts.
        return Do.RELOAD_CODE
    if suffix in RESTART_SUFFIXES or RESTART_FOLDERS.intersection(rel.parts[:-1]):
        return Do.RESTART
    if suffix in TEMPLATE_SUFFIXES and not debug:
        return Do.RESTART  # debug mode re-reads templates by itself
    return None


def plan(changes: Iterable[FileChange], ctx: RuleContext) -> tuple[Action, ...]:
    """The actions for a batch: at most one per service, the strongest asked for;
    the project's reconfiguration first, then the backend, then the others by name."""
    needs: dict[str, list[tuple[Do, Path]]] = {}
    for change in changes:
        need = classify(change, ctx)
        if need is not None:
            service, do = need
            needs.setdefault(service, []).append((do, change.path))
    actions = []
    for service in sorted(needs, key=_service_order):
        asked = needs[service]
        strongest = max((do for do, _ in asked), key=lambda do: do.rank)
        causes = [path for do, path in asked if do is strongest]
        others = [path for do, path in asked if do is not strongest]
        actions.append(Action(service, strongest, tuple(_unique(causes + others))))
    return tuple(actions)


def _service_order(service: str) -> tuple[int, str]:
    return ({PROJECT: 0, BACKEND: 1}.get(service, 2), service)


def _unique(paths: list[Path]) -> list[Path]:
    return list(dict.fromkeys(paths))
