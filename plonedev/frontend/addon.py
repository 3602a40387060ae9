"""A new Volto add-on in the frontend's packages/, and the two registrations it needs.

The add-on (plonedev/templates/frontend-addon) is a workspace package, the shape
cookieplone generates: package.json with main src/index.js, whose applyConfig adds a
page at /hello-<folder>. Volto loads the add-ons volto.config.js lists in `addons`; it
resolves them because the frontend's package.json depends on them ("workspace:*", so
pnpm links packages/<folder> into node_modules). Both edits are text in, text out, so
all of them are worked out before anything is written.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from string import Template
from typing import Any

from plonedev.errors import PlonedevError
from plonedev.frontend.layout import DEV_TOOLS_PACKAGE, VOLTO_PACKAGE
from plonedev.frontend.scaffold import addon_folder, addon_manifest, check_package_name

TEMPLATE = "frontend-addon"
_SOURCES = ("README.md", "src/index.js", "src/components/Hello.jsx")
# `addons: [...]` (plonedev's volto.config.js) or `const addons = [...]` (cookieplone's).
_ADDONS_LIST = re.compile(r"(?P<head>\baddons\s*[:=]\s*\[)(?P<items>[^\]]*)\]")
_QUOTED = re.compile(r"""(['"`])([^'"`]*)\1""")
_INDENT = re.compile(r'^(?P<indent>[ \t]+)"', re.M)
_RESERVED = frozenset({VOLTO_PACKAGE, DEV_TOOLS_PACKAGE})


@dataclass(frozen=True)
class FrontendAddon:
    name: str  # the npm name: volto-todo, @acme/volto-todo

    @property
    def folder(self) -> str:
        return addon_folder(self.name)

    @property
    def route(self) -> str:
        return f"/hello-{self.folder}"

    @property
    def greeting(self) -> str:
        """What the page at `route` shows."""
        return f"Hello from {self.name}"


def frontend_addon(name: str) -> FrontendAddon:
    """`name` as a new add-on's npm name (PlonedevError when it is not one)."""
    check_package_name(name)
    if name in _RESERVED:
        raise PlonedevError(f"{name!r} is taken by Volto itself", "choose another name")
    return FrontendAddon(name)


def addon_files(addon: FrontendAddon) -> dict[PurePosixPath, str]:
    """The add-on's files, by path relative to its folder."""
    values = {"name": addon.name, "folder": addon.folder, "route": addon.route}
    folder = resources.files("plonedev").joinpath("templates", TEMPLATE)
    files = {
        PurePosixPath(source): Template(
            folder.joinpath(*source.split("/")).read_text(encoding="utf-8")
        ).substitute(values)
        for source in _SOURCES
    }
    manifest = {**addon_manifest(addon.name), "description": f"{addon.name}: a Volto add-on"}
    files[PurePosixPath("package.json")] = json.dumps(manifest, indent=2) + "\n"
    return files


def write_addon(target: Path, files: dict[PurePosixPath, str]) -> list[Path]:
    """Write the add-on into `target` (which must not exist): into a temporary folder
    beside it first, renamed into place last, so it appears whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as tmp:
        rendered = Path(tmp) / target.name
        for relative, content in files.items():
            path = rendered / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        rendered.rename(target)
    return sorted(target / relative for relative in files)


def with_dependency(text: str, name: str) -> str:
    """The frontend's package.json with `name` in its dependencies as "workspace:*"."""
    try:
        manifest: Any = json.loads(text)
    except ValueError as exc:
        raise PlonedevError(f"package.json: not valid JSON ({exc})", "fix the file") from None
    if not isinstance(manifest, dict):
        raise PlonedevError("package.json: expected a JSON object", "fix the file")
    dependencies = manifest.setdefault("dependencies", {})
    if not isinstance(dependencies, dict):
        raise PlonedevError("package.json: dependencies is not an object", "fix the file")
    for key in ("dependencies", "devDependencies", "peerDependencies"):
        if name in (manifest.get(key) or {}):
            raise PlonedevError(
                f"the frontend's package.json has {name} in {key} already",
                "choose another name, or remove it from package.json first",
            )
    dependencies[name] = "workspace:*"
    match = _INDENT.search(text)
    indent = match.group("indent") if match else "  "
    return json.dumps(manifest, indent=indent, ensure_ascii=False) + "\n"


def registered_addons(text: str) -> list[str]:
    """The add-ons volto.config.js lists (without their `:profile` suffixes)."""
    match = _addons_list(text)
    return [value.split(":", 1)[0] for _, value in _QUOTED.findall(match.group("items"))]


def with_addon(text: str, name: str) -> str:
    """volto.config.js with `name` last in its `addons` list, the rest as it was."""
    match = _addons_list(text)
    if name in registered_addons(text):
        raise PlonedevError(
            f"volto.config.js lists {name} in addons already",
            "choose another name, or remove it from volto.config.js first",
        )
    items = match.group("items")
    quotes = _QUOTED.findall(items)
    quote = quotes[-1][0] if quotes else "'"
    entry = f"{quote}{name}{quote}"
    body = items.rstrip()
    trailing = items[len(body) :]  # the whitespace before "]"
    if not body.strip():
        new = entry
    elif "\n" in trailing:  # one per line: the next one alike, with the same indent
        comma = body.endswith(",")
        last_line = body.rsplit("\n", 1)[-1]
        indent = last_line[: len(last_line) - len(last_line.lstrip())]
        new = f"{body if comma else body + ','}\n{indent}{entry}{',' if comma else ''}{trailing}"
    else:
        new = f"{body.rstrip(',')}, {entry}{trailing}"
    return f"{text[: match.start('items')]}{new}{text[match.end('items') :]}"


def _addons_list(text: str) -> re.Match[str]:
    matches = list(_ADDONS_LIST.finditer(text))
    if len(matches) != 1:
        found = "no" if not matches else "more than one"
        raise PlonedevError(
            f"volto.config.js: {found} `addons: [...]` list found",
            "list the add-ons in one array literal: module.exports = { addons: [...] }",
        )
    return matches[0]
