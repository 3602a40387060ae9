"""The registrations a new piece needs in an add-on's existing files, as text edits.

Each edit inserts a few lines before a closing tag (</configure>, </object>, </registry>)
and keeps every other byte as it was; a file that is missing is created whole. A
registration that is there already is a conflict: the piece exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from plonedev.errors import PlonedevError

if TYPE_CHECKING:
    from plonedev.addons.parts import Kind, PartName

ZCML = """<configure
    xmlns="http://namespaces.zope.org/zope"
{namespaces}    >

</configure>
"""
NAMESPACES = {
    "browser": "http://namespaces.zope.org/browser",
    "plone": "http://namespaces.plone.org/plone",
    "genericsetup": "http://namespaces.zope.org/genericsetup",
}
TYPES_XML = '<?xml version="1.0" encoding="utf-8"?>\n<object name="portal_types">\n</object>\n'
REGISTRY_XML = '<?xml version="1.0" encoding="utf-8"?>\n<registry>\n</registry>\n'
CONTROLPANEL_XML = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<object name="portal_controlpanel" xmlns:i18n="http://xml.zope.org/namespaces/i18n">\n'
    "</object>\n"
)
_VERSION = re.compile(r"(<version>\s*)(\d+)(\s*</version>)")


@dataclass
class Registrations:
    files: dict[Path, str] = field(default_factory=dict)
    conflict: Path | None = None  # a file that registers the piece already

    def text(self, path: Path, new: str) -> str:
        """The file as this change has it so far (or on disk, or `new` when missing)."""
        if path in self.files:
            return self.files[path]
        return path.read_text(encoding="utf-8") if path.is_file() else new

    def insert(self, path: Path, new: str, closing: str, lines: str, marker: str) -> None:
        """`lines` before the last `closing` tag of `path`; a conflict if `marker` is in it."""
        text = self.text(path, new)
        if marker in text:
            self.conflict = self.conflict or path
            return
        self.files[path] = insert_before(text, closing, lines, path)

    def subpackage(self, folder: Path, sub: str, *namespaces: str) -> Path:
        """`folder/sub` as a package whose configure.zcml the add-on includes."""
        init = folder / sub / "__init__.py"
        if not init.exists():
            self.files[init] = ""
        zcml = folder / sub / "configure.zcml"
        if not zcml.exists():
            declared = "".join(f'    xmlns:{n}="{NAMESPACES[n]}"\n' for n in namespaces)
            self.files[zcml] = ZCML.format(namespaces=declared)
        top = folder / "configure.zcml"
        include = f'<include package=".{sub}" />'
        if include not in self.text(top, ""):
            self.files[top] = insert_include(self.text(top, ""), include, top)
        for namespace in namespaces:
            if f"xmlns:{namespace}=" not in self.text(zcml, ""):
                raise PlonedevError(
                    f"{zcml.parent.name}/{zcml.name} does not declare xmlns:{namespace}",
                    f'add xmlns:{namespace}="{NAMESPACES[namespace]}" to its <configure> tag',
                )
        return zcml


def insert_before(text: str, closing: str, lines: str, path: Path) -> str:
    at = text.rfind(closing)
    if at < 0:
        raise PlonedevError(
            f"{path.name} has no {closing}: plonedev cannot add to it",
            "fix the file (it must be well-formed XML), then run the command again",
        )
    start = text.rfind("\n", 0, at) + 1  # keep the closing tag's own indentation line
    return text[:start] + lines + text[start:]


def insert_include(text: str, include: str, path: Path) -> str:
    """`include` after the last <include> of a configure.zcml, else before its end."""
    last = text.rfind("<include ")
    if last < 0:
        return insert_before(text, "</configure>", f"  {include}\n\n", path)
    end = text.find("\n", last) + 1 or len(text)
    return text[:end] + f"  {include}\n" + text[end:]


def registrations(
    kind: Kind, name: PartName, package: str, folder: Path, *, version: str, source: str
) -> Registrations:
    from plonedev.addons.parts import Kind

    changes = Registrations()
    edit: dict[Kind, Callable[[], None]] = {
        Kind.CONTENT_TYPE: lambda: _content_type(changes, name, folder),
        Kind.VIEW: lambda: _view(changes, name, folder),
        Kind.BEHAVIOR: lambda: _behavior(changes, name, package, folder),
        Kind.UPGRADE_STEP: lambda: _upgrade_step(changes, name, package, folder, version, source),
        Kind.CONTROLPANEL: lambda: _controlpanel(changes, name, package, folder),
    }
    edit[kind]()
    return changes


def _content_type(changes: Registrations, name: PartName, folder: Path) -> None:
    init = folder / "content" / "__init__.py"
    if not init.exists():
        changes.files[init] = ""
    types = folder / "profiles" / "default" / "types.xml"
    entry = f'<object name="{name.name}" meta_type="Dexterity FTI" />'
    changes.insert(types, TYPES_XML, "</object>", f"  {entry}\n", f'name="{name.name}"')


def _view(changes: Registrations, name: PartName, folder: Path) -> None:
    zcml = changes.subpackage(folder, "browser", "browser")
    page = (
        "  <browser:page\n"
        f'      name="{name.name}"\n'
        '      for="*"\n'
        f'      class=".{name.module}.{name.class_name}View"\n'
        '      permission="zope2.View"\n'
        "      />\n\n"
    )
    changes.insert(zcml, "", "</configure>", page, f'name="{name.name}"')


def _behavior(changes: Registrations, name: PartName, package: str, folder: Path) -> None:
    zcml = changes.subpackage(folder, "behaviors", "plone")
    behavior = (
        "  <plone:behavior\n"
        f'      name="{package}.{name.module}"\n'
        f'      title="{name.class_name}"\n'
        f'      provides=".{name.module}.I{name.class_name}"\n'
        "      />\n\n"
    )
    changes.insert(zcml, "", "</configure>", behavior, f'name="{package}.{name.module}"')


def _upgrade_step(
    changes: Registrations, name: PartName, package: str, folder: Path, version: str, source: str
) -> None:
    zcml = changes.subpackage(folder, "upgrades", "genericsetup")
    step = (
        "  <genericsetup:upgradeStep\n"
        f'      title="{name.name}"\n'
        f'      profile="{package}:default"\n'
        f'      source="{source}"\n'
        f'      destination="{version}"\n'
        f'      handler=".v{version}.{name.module}"\n'
        "      />\n\n"
    )
    changes.insert(zcml, "", "</configure>", step, f'handler=".v{version}.')
    if any(f"def {name.module}(" in p.read_text(encoding="utf-8") for p in _modules(zcml.parent)):
        changes.conflict = changes.conflict or zcml.parent
    metadata = folder / "profiles" / "default" / "metadata.xml"
    text = changes.text(metadata, "")
    changes.files[metadata] = _VERSION.sub(lambda m: m.group(1) + version + m.group(3), text, 1)


def _controlpanel(changes: Registrations, name: PartName, package: str, folder: Path) -> None:
    zcml = changes.subpackage(folder, "controlpanel", "browser")
    prefix = f"{package}.{name.module}"
    registered = (
        "  <browser:page\n"
        f'      name="{name.name}-controlpanel"\n'
        '      for="plone.base.interfaces.IPloneSiteRoot"\n'
        f'      class=".{name.module}.{name.class_name}View"\n'
        '      permission="cmf.ManagePortal"\n'
        "      />\n\n"
        "  <adapter\n"
        f'      factory=".{name.module}.{name.class_name}Panel"\n'
        f'      name="{name.module}"\n'
        '      provides="plone.restapi.controlpanels.IControlpanel"\n'
        "      />\n\n"
    )
    changes.insert(zcml, "", "</configure>", registered, f'name="{name.name}-controlpanel"')
    profile = folder / "profiles" / "default"
    records = (
        f'  <records interface="{package}.controlpanel.{name.module}.I{name.class_name}Settings"'
        f' prefix="{prefix}" />\n'
    )
    changes.insert(profile / "registry.xml", REGISTRY_XML, "</registry>", records, prefix + '"')
    configlet = (
        f'  <configlet title="{name.class_name} settings" action_id="{prefix}"\n'
        f'      appId="{package}" category="Products" condition_expr=""\n'
        f'      url_expr="string:${{portal_url}}/@@{name.name}-controlpanel"\n'
        '      icon_expr="" visible="True" i18n:attributes="title">\n'
        "    <permission>Manage portal</permission>\n"
        "  </configlet>\n"
    )
    changes.insert(
        profile / "controlpanel.xml",
        CONTROLPANEL_XML,
        "</object>",
        configlet,
        f'action_id="{prefix}"',
    )


def _modules(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.py")) if folder.is_dir() else []
