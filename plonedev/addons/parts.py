"""The pieces `plonedev add` puts into an add-on: their names, their files, their checks.

Each kind's files come from a copier subtemplate shipped in plonedev
(plonedev/templates/addon-parts/KIND), rendered offline into a temporary folder; the
registrations they need in files the add-on has already (ZCML, the profile) are small
text edits (plonedev.addons.part_edits). Nothing here writes into the add-on: the
command writes what `plan_part` returns, through a transaction.
"""

from __future__ import annotations

import keyword
import re
import tempfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from plonedev.addons import part_edits as edits
from plonedev.addons.scaffold import template_folder
from plonedev.errors import PlonedevError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VERSION = re.compile(r"<version>\s*(\d+)\s*</version>")


class Kind(StrEnum):
    CONTENT_TYPE = "content-type"
    BEHAVIOR = "behavior"
    VIEW = "view"
    UPGRADE_STEP = "upgrade-step"
    CONTROLPANEL = "controlpanel"


def kind_of(text: str) -> Kind:
    try:
        return Kind(text)
    except ValueError:
        raise PlonedevError(
            f"unknown kind {text!r}", f"choose one of {', '.join(k.value for k in Kind)}"
        ) from None


@dataclass(frozen=True)
class PartName:
    name: str  # as given: Task, summary
    module: str  # task, summary, task_list
    class_name: str  # Task, Summary, TaskList


def part_name(kind: Kind, name: str) -> PartName:
    """`name` checked for `kind`: a Python identifier (a content type's id is one too)."""
    if not _IDENTIFIER.fullmatch(name) or keyword.iskeyword(name):
        what = "content type id" if kind is Kind.CONTENT_TYPE else f"{kind.value} name"
        example = "Task" if kind is Kind.CONTENT_TYPE else "summary"
        raise PlonedevError(
            f"{name!r} is not a valid {what}",
            f"use a Python identifier: letters, digits and underscores, not starting with a "
            f"digit (e.g. {example})",
        )
    module = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    class_name = "".join(word[:1].upper() + word[1:] for word in name.split("_") if word)
    return PartName(name, module, class_name or "Part")


@dataclass(frozen=True)
class PartPlan:
    """What adding one piece writes (every file whole, new or edited) and where it is seen."""

    kind: Kind
    name: PartName
    package: str  # acme.hello
    files: dict[Path, str]  # absolute path -> the file's new text
    new_folders: tuple[Path, ...]  # folders the change creates (removed on rollback)
    version: str = ""  # upgrade-step: the profile version it upgrades to

    @property
    def profile_changed(self) -> bool:
        """The site needs the profile imported again to see the piece."""
        return self.kind in (Kind.CONTENT_TYPE, Kind.CONTROLPANEL)


def plan_part(kind: Kind, name: PartName, package: str, folder: Path) -> PartPlan:
    """The files for `kind` NAME in the package `folder`; PlonedevError when it exists."""
    version = source = ""
    if kind is Kind.UPGRADE_STEP:
        source, version = _next_version(folder)
    rendered = _render(kind, name, package, version, source)
    files = {folder / rel: text for rel, text in rendered.items()}
    taken = [path for path in files if path.exists()]
    if taken:
        raise _exists(kind, name, taken[0], folder)
    changes = edits.registrations(kind, name, package, folder, version=version, source=source)
    if changes.conflict:
        raise _exists(kind, name, changes.conflict, folder)
    files.update(changes.files)
    folders = sorted({p.parent for p in files if not p.parent.exists()}, key=lambda p: p.parts)
    return PartPlan(kind, name, package, files, _tops(folders), version)


def _render(kind: Kind, name: PartName, package: str, version: str, source: str) -> dict[Path, str]:
    from copier import run_copy

    with tempfile.TemporaryDirectory(prefix="plonedev-part-") as tmp:
        run_copy(
            str(template_folder("addon-parts") / kind.value),
            tmp,
            data={
                "package": package,
                "name": name.name,
                "module": name.module,
                "class_name": name.class_name,
                "version": version,
                "source": source,
            },
            defaults=True,
            quiet=True,
            vcs_ref=None,
        )
        root = Path(tmp)
        return {
            path.relative_to(root): path.read_text(encoding="utf-8")
            for path in sorted(root.rglob("*"))
            if path.is_file() and path.name != ".copier-answers.yml"
        }


def _next_version(folder: Path) -> tuple[str, str]:
    metadata = folder / "profiles" / "default" / "metadata.xml"
    try:
        match = _VERSION.search(metadata.read_text(encoding="utf-8"))
    except FileNotFoundError:
        match = None
    if match is None:
        raise PlonedevError(
            f"{metadata.name} in {folder.name}/profiles/default has no numeric <version>",
            "give the default profile a metadata.xml with <version>1000</version>",
        )
    current = int(match.group(1))
    return str(current), str(current + 1)


def _exists(kind: Kind, name: PartName, path: Path, folder: Path) -> PlonedevError:
    where = path.relative_to(folder.parent) if path.is_relative_to(folder.parent) else path
    return PlonedevError(
        f"the add-on has a {kind.value} {name.name!r} already ({where})",
        "choose another name, or edit the existing one",
    )


def _tops(folders: list[Path]) -> tuple[Path, ...]:
    """The outermost of the new folders (removing one removes those inside it)."""
    tops: list[Path] = []
    for folder in folders:
        if not any(folder.is_relative_to(top) for top in tops):
            tops.append(folder)
    return tuple(tops)
