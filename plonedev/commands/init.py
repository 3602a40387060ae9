"""`plonedev init`: scaffold a project with a config that works as it is."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from plonedev.errors import PlonedevError
from plonedev.files import write_atomic
from plonedev.frontend.scaffold import frontend_files, refuse_existing

FRONTEND_DIRECTORY = "frontend"
GITIGNORE_LINES = (".plonedev/", "var/", "requirements-mxdev.txt", "constraints-mxdev.txt")

MX_INI = """\
; Add-ons developed in this project. plonedev checks them out into sources/ with mxdev
; and installs them editable into the backend. Add one with `plonedev add-addon`, or by hand:
;
; [collective.example]
; url = https://github.com/collective/collective.example.git
; branch = main
[settings]
default-target = sources
"""

COMPOSE_README = """\
# compose/

plonedev writes `compose.yaml` here from `[tool.plonedev]` in pyproject.toml when it runs
the project with Docker Compose. Do not edit it: put your changes in
`compose.override.yaml`, which plonedev merges and never writes.
"""


@dataclass(frozen=True)
class InitResult:
    root: Path
    created: list[Path]
    updated: list[Path]


def init(directory: Path, *, name: str | None = None, frontend: bool = False) -> InitResult:
    """`frontend`: also scaffold a Volto project in frontend/ (tool.plonedev.frontend)."""
    root = directory.resolve()
    if root.exists() and not root.is_dir():
        raise PlonedevError(
            f"{directory}: is a file, not a folder",
            "name a folder for the project (a new or an existing one)",
        )
    project_name = _slug(name or root.name)
    pyproject = root / "pyproject.toml"
    frontend_dir = FRONTEND_DIRECTORY if frontend else ""
    # Work out every file's new content first; write only once nothing can fail.
    planned: dict[Path, str] = {}
    updated: list[Path] = []
    if pyproject.exists():
        planned[pyproject] = _add_section(pyproject, frontend_dir)
        updated.append(pyproject)
    else:
        planned[pyproject] = _new_pyproject(project_name, frontend_dir)
    if frontend:
        refuse_existing(root / FRONTEND_DIRECTORY)
        for relative, content in frontend_files(project_name).items():
            planned[root / FRONTEND_DIRECTORY / relative] = content
    mx_ini = root / "mx.ini"
    if not mx_ini.exists():
        planned[mx_ini] = MX_INI
    readme = root / "compose" / "README.md"
    if not readme.exists():
        planned[readme] = COMPOSE_README
    keep = root / "sources" / ".gitkeep"
    if not (root / "sources").exists():
        planned[keep] = ""
    gitignore = root / ".gitignore"
    ignore_text = _gitignore(gitignore)
    if ignore_text is not None:
        planned[gitignore] = ignore_text
        if gitignore.exists():
            updated.append(gitignore)
    for path, content in planned.items():
        write_atomic(path, content)
    created = [p for p in planned if p not in updated]
    return InitResult(root, created, updated)


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    if not slug:
        raise PlonedevError(f"cannot make a project name from {name!r}", "pass --name my-project")
    return slug


def _new_pyproject(name: str, frontend: str) -> str:
    document = tomlkit.document()
    project = tomlkit.table()
    project["name"] = name
    project["version"] = "0.1.0"
    project["requires-python"] = ">=3.11"
    document["project"] = project
    document["tool"] = tomlkit.table(is_super_table=True)
    document["tool"]["plonedev"] = _section(frontend)
    return tomlkit.dumps(document)


def _add_section(pyproject: Path, frontend: str) -> str:
    text = pyproject.read_text(encoding="utf-8")
    try:
        document = tomlkit.parse(text)
        tomllib.loads(text)
    except Exception as exc:  # tomlkit raises several types for one problem
        raise PlonedevError(
            f"{pyproject}: invalid TOML: {exc}", "fix it, then run `plonedev init` again"
        ) from None
    tool = document.get("tool")
    if tool is not None and "plonedev" in tool:
        raise PlonedevError(
            f"{pyproject} already has a [tool.plonedev] section", "run `plonedev up` instead"
        )
    if tool is None:
        document["tool"] = tomlkit.table(is_super_table=True)
    document["tool"]["plonedev"] = _section(frontend)
    return tomlkit.dumps(document)


def _section(frontend: str = "") -> tomlkit.items.Table:
    section = tomlkit.table()
    section.add(
        tomlkit.comment("Plone release and its pinned versions (constraints = URL or file)")
    )
    section["plone-version"] = "6.2.2"
    section["site-id"] = "Plone"
    section.add(tomlkit.comment("volto (the React frontend's backend) or classic"))
    section["distribution"] = "volto"
    section.add(tomlkit.comment("filestorage, zeo or relstorage (PostgreSQL)"))
    section["storage"] = "filestorage"
    section["varnish"] = False
    if frontend:
        section.add(tomlkit.comment("The Volto project (plonedev add-frontend creates one)"))
        section["frontend"] = frontend
    section.add(tomlkit.comment("auto (Docker when an engine answers), native or docker"))
    section["runtime"] = "auto"
    return section


def _gitignore(path: Path) -> str | None:
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    present = {line.strip() for line in existing.splitlines()}
    missing = [line for line in GITIGNORE_LINES if line not in present]
    if not missing:
        return None
    prefix = existing if not existing or existing.endswith("\n") else existing + "\n"
    return prefix + "# plonedev: generated state and site data\n" + "\n".join(missing) + "\n"
