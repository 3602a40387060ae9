"""The files of a new Volto project with one add-on, ready for `plonedev up`.

Only the project's own files: Volto is unpacked into core/ and node_modules installed
by `up` (plonedev.frontend.install). Manifests are built as dicts and dumped; the other
files are templates in plonedev/templates/frontend with $placeholders only.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path, PurePosixPath
from string import Template
from typing import Any

from plonedev.errors import PlonedevError
from plonedev.frontend.layout import PACKAGE_KEY, VOLTO_PACKAGE, VOLTO_VERSION

# npm's rules for a package name (lowercase, URL-safe, optionally scoped).
_NPM_NAME = re.compile(r"(@[a-z0-9-~][a-z0-9-._~]*/)?[a-z0-9-~][a-z0-9-._~]*")
_VOLTOCONFIG = "VOLTOCONFIG=$(pwd)/volto.config.js"
NODE_ENGINES = "^20 || ^22"

# template file -> where it goes in the frontend ("{addon}": the add-on's folder)
_TEMPLATES = {
    "volto.config.js": "volto.config.js",
    "pnpm-workspace.yaml": "pnpm-workspace.yaml",
    "gitignore": ".gitignore",
    "README.md": "README.md",
    "addon/src/index.js": "packages/{addon}/src/index.js",
    "addon/README.md": "packages/{addon}/README.md",
}


def default_addon(project_name: str) -> str:
    return f"volto-{project_name}"


def check_package_name(name: str) -> str:
    if len(name) > 214 or not _NPM_NAME.fullmatch(name):
        raise PlonedevError(
            f"{name!r} is not an npm package name",
            "use lowercase letters, digits and '-' (for example volto-my-project)",
        )
    return name


def addon_folder(addon: str) -> str:
    """packages/<folder>: the add-on's name without its scope."""
    return addon.rsplit("/", 1)[-1]


def frontend_files(
    project_name: str, *, addon: str | None = None, volto_version: str = VOLTO_VERSION
) -> dict[PurePosixPath, str]:
    """Every file of the new frontend, by path relative to the frontend folder."""
    addon = check_package_name(addon or default_addon(project_name))
    folder = addon_folder(addon)
    values = {
        "project": project_name,
        "addon": addon,
        "addon_folder": folder,
        "volto_version": volto_version,
    }
    files = {
        PurePosixPath(target.format(addon=folder)): _render(source, values)
        for source, target in _TEMPLATES.items()
    }
    files[PurePosixPath("package.json")] = _json(root_manifest(project_name, addon, volto_version))
    files[PurePosixPath(f"packages/{folder}/package.json")] = _json(addon_manifest(addon))
    return files


def root_manifest(project_name: str, addon: str, volto_version: str) -> dict[str, Any]:
    filter_volto = f"pnpm --filter {VOLTO_PACKAGE}"
    return {
        "name": check_package_name(f"{project_name}-frontend"),
        "version": "1.0.0",
        "private": True,
        "description": f"The Volto frontend of {project_name}",
        # Volto's own start/build scripts first run a Makefile its npm release lacks:
        # run razzle inside the Volto package, with this project's volto.config.js.
        "scripts": {
            "start": f"{_VOLTOCONFIG} {filter_volto} exec razzle start",
            "build": f"{_VOLTOCONFIG} {filter_volto} exec razzle build --noninteractive",
            "start:prod": f"{filter_volto} start:prod",
        },
        "dependencies": {VOLTO_PACKAGE: "workspace:*", addon: "workspace:*"},
        "engines": {"node": NODE_ENGINES},
        PACKAGE_KEY: {"volto": volto_version},
    }


def addon_manifest(addon: str) -> dict[str, Any]:
    # No peerDependency on @plone/volto: pnpm would then resolve the newest Volto from
    # the registry instead of the workspace's.
    return {
        "name": addon,
        "version": "1.0.0",
        "private": True,
        "description": "This project's Volto add-on",
        "main": "src/index.js",
        "keywords": ["volto-addon", "volto", "plone"],
    }


def write_frontend(target: Path, files: dict[PurePosixPath, str]) -> list[Path]:
    """Write a planned frontend into `target`, which must be missing or empty."""
    refuse_existing(target)
    written = []
    for relative, content in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written


def refuse_existing(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PlonedevError(
            f"{target} already exists and is not empty",
            "choose another folder (--directory), or remove it first",
        )


def _render(name: str, values: dict[str, str]) -> str:
    source = resources.files("plonedev").joinpath("templates", "frontend", *name.split("/"))
    return Template(source.read_text(encoding="utf-8")).substitute(values)


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2) + "\n"
