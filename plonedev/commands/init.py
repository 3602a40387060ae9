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
from plonedev.version_pin import compatible_range, pipx_command, team_command

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
`compose.override.yaml`, which plonedev merges and never writes
(`compose.override.example.yaml` shows how: copy it to that name).
"""

COMPOSE_OVERRIDE_EXAMPLE = """\
# An example of compose.override.yaml: copy this file to that name to use it.
# plonedev merges compose.override.yaml into the compose.yaml it writes (Compose's own
# merge: your keys add to plonedev's or replace them) and never writes it itself.
services:
  backend:
    environment:
      # The time zone Zope logs in and the site's dates default to.
      TZ: "Europe/Amsterdam"
  # A service of your own beside plonedev's, e.g. a mail catcher for the site's e-mail:
  # mailpit:
  #   image: axllent/mailpit
  #   ports: ["127.0.0.1:8025:8025"]
"""

# Heading of the section init adds to the project's README.md (found again: added once).
README_HEADING = "## Working on this project"


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
    override_example = root / "compose" / "compose.override.example.yaml"
    if not override_example.exists():
        planned[override_example] = COMPOSE_OVERRIDE_EXAMPLE
    project_readme = root / "README.md"
    readme_text = _readme(project_readme, project_name)
    if readme_text is not None:
        planned[project_readme] = readme_text
        if project_readme.exists():
            updated.append(project_readme)
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
    section.add(tomlkit.comment("The plonedev releases this project works with (checked at start)"))
    section["plonedev-version"] = compatible_range()
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


def readme_section() -> str:
    """What a new team member needs after cloning: one command, with the pinned plonedev."""
    pin = compatible_range()
    return f"""\
{README_HEADING}

After cloning, one command checks out the add-ons (`mx.ini`), installs the backend,
starts Plone and its services, creates the site on the first run and prints the URLs
and the admin login. It runs the plonedev release this project asks for
(`plonedev-version` in `pyproject.toml`), with nothing to install but
[uv](https://docs.astral.sh/uv/):

```bash
{team_command(pin, "up")}
```

Or with pipx: `{pipx_command(pin, "up")}`. Any other command runs the same way
(`... plonedev down` stops the services, `... plonedev status` shows them).
"""


def _readme(path: Path, project_name: str) -> str | None:
    """The README with the section appended (a new README: titled with the project's name);
    None when it has the section already."""
    if not path.exists():
        return f"# {project_name}\n\n" + readme_section()
    existing = path.read_text(encoding="utf-8")
    if README_HEADING in existing.splitlines():
        return None
    separator = "\n" if existing.endswith("\n") else "\n\n"
    return (existing + separator if existing else "") + readme_section()
