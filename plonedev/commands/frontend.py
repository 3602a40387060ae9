"""`plonedev add-frontend`: give an existing project a Volto frontend."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import tomlkit

from plonedev.config import Distribution
from plonedev.errors import PlonedevError
from plonedev.files import write_atomic
from plonedev.frontend import frontend_files, write_frontend
from plonedev.frontend.scaffold import check_package_name, default_addon, refuse_existing
from plonedev.project_setup.find_project import open_project

DEFAULT_DIRECTORY = "frontend"


@dataclass(frozen=True)
class AddFrontendResult:
    root: Path
    frontend: Path
    addon: str
    created: list[Path]
    updated: list[Path]


def add_frontend(
    start: Path, *, directory: str = DEFAULT_DIRECTORY, addon: str | None = None
) -> AddFrontendResult:
    """Scaffold a Volto project in `directory` and point tool.plonedev.frontend at it."""
    context = open_project(start)
    root, config = context.paths.root, context.config
    if config.frontend:
        raise PlonedevError(
            f"this project already has a frontend (tool.plonedev.frontend = {config.frontend!r})",
            "remove that key first to create another one",
        )
    if config.distribution is Distribution.CLASSIC:
        raise PlonedevError(
            "Volto needs a site made with the volto distribution, but this project's "
            "tool.plonedev.distribution is 'classic'",
            "set distribution = 'volto' in pyproject.toml (a new site is needed), then run again",
        )
    relative = _relative_folder(directory)
    target = root / relative
    refuse_existing(target)
    addon_name = check_package_name(addon or default_addon(config.name))
    files = frontend_files(config.name, addon=addon_name)
    # Work everything out before writing: a bad pyproject.toml leaves no half frontend.
    pyproject = set_frontend_key(context.paths.pyproject.read_text(encoding="utf-8"), relative)
    created = write_frontend(target, files)
    write_atomic(context.paths.pyproject, pyproject)
    return AddFrontendResult(
        root=root,
        frontend=target,
        addon=addon_name,
        created=created,
        updated=[context.paths.pyproject],
    )


def set_frontend_key(text: str, folder: str) -> str:
    """pyproject.toml's text with tool.plonedev.frontend = folder, formatting kept."""
    try:
        tomllib.loads(text)
        document = tomlkit.parse(text)
    except Exception as exc:  # tomlkit raises several types for one problem
        raise PlonedevError(f"pyproject.toml: invalid TOML: {exc}", "fix it first") from None
    section = document["tool"]["plonedev"]
    section["frontend"] = folder
    return tomlkit.dumps(document)


def _relative_folder(directory: str) -> str:
    path = PurePosixPath(directory.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or str(path) in ("", "."):
        raise PlonedevError(
            f"--directory {directory!r}: expected a folder inside the project",
            "use a relative name such as frontend",
        )
    return str(path)
