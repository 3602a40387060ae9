"""Render a new backend add-on from the copier template shipped in plonedev.

The template (plonedev/templates/addon) is rendered with copier's Python API from the
package's own folder: no VCS, no network, no questions. It is rendered into a temporary
folder beside the target and moved into place last, so a failure leaves nothing behind.
"""

from __future__ import annotations

import keyword
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from plonedev.errors import PlonedevError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
PACKAGE_PLACEHOLDER = "_package_"  # the template's src/ folder, moved to the import path


@dataclass(frozen=True)
class AddonName:
    name: str  # distribution and import name: collective.todo

    @property
    def parts(self) -> list[str]:
        return self.name.split(".")

    @property
    def short_name(self) -> str:
        return self.parts[-1].replace("_", "-")

    @property
    def layer_class(self) -> str:
        camel = "".join(word.capitalize() for word in self.parts[-1].split("_") if word)
        return f"I{camel}Layer"


def addon_name(name: str) -> AddonName:
    """`name` as an add-on name: a dotted Python name, every part an identifier."""
    parts = name.split(".")
    if not all(_IDENTIFIER.fullmatch(part) and not keyword.iskeyword(part) for part in parts):
        raise PlonedevError(
            f"{name!r} is not a dotted Python name",
            "use letters, digits and underscores, parts separated by dots, no part starting "
            "with a digit: e.g. collective.todo",
        )
    return AddonName(name)


def template_folder(name: str) -> Path:
    folder = resources.files("plonedev").joinpath("templates", name)
    return Path(str(folder))


def render_addon(addon: AddonName, target: Path) -> list[Path]:
    """Write the add-on to `target` (which must not exist); return the files written."""
    from copier import run_copy

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{target.name}-") as tmp:
        rendered = Path(tmp) / target.name
        run_copy(
            str(template_folder("addon")),
            rendered,
            data={
                "name": addon.name,
                "short_name": addon.short_name,
                "layer_class": addon.layer_class,
            },
            defaults=True,
            quiet=True,
            vcs_ref=None,
        )
        src = rendered / "src"
        package = src.joinpath(*addon.parts)
        package.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(src / PACKAGE_PLACEHOLDER, package)
        rendered.rename(target)  # last: the folder appears whole, or not at all
    return sorted(path for path in target.rglob("*") if path.is_file())
