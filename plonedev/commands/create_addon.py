"""`plonedev create-addon NAME`: a new backend add-on in sources/NAME, added to the project.

The add-on is rendered from plonedev's copier template, then goes through the very
transaction of `add-addon --path` (mx.ini section with vcs = fs, install, restart,
profile). If that fails, its rollback puts the project back and the new folder goes too:
nothing is left written.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from plonedev.addons.changes import shown
from plonedev.addons.scaffold import addon_name, render_addon
from plonedev.commands.add_addon import AddResult, add_addon, default_target
from plonedev.errors import PlonedevError
from plonedev.project_setup.find_project import open_project
from plonedev.report import Reporter

# The generated tests' requirements (pytest-plone) come with the add-on into the backend.
TEST_EXTRAS = "test"


@dataclass(frozen=True)
class CreateResult:
    folder: Path
    files: int
    view: str  # the view the add-on answers with on the site root: "@@todo-hello"
    added: AddResult
    seconds: float


def create_addon(
    start: Path,
    name: str,
    reporter: Reporter,
    *,
    install_profile: bool = True,
    runtime: str | None = None,
) -> CreateResult:
    started = time.monotonic()
    context = open_project(start)
    addon = addon_name(name)
    root = context.paths.root
    mx_ini = context.paths.mx_ini
    text = mx_ini.read_text(encoding="utf-8") if mx_ini.is_file() else ""
    folder = root / default_target(text, root) / addon.name
    if folder.exists() or folder.is_symlink():
        raise PlonedevError(
            f"{shown(folder, root)} exists already",
            f"choose another name, or add that folder with `plonedev add-addon {addon.name} "
            f"--path {shown(folder, root)}`",
        )
    files = render_addon(addon, folder)
    reporter.info(f"Wrote {shown(folder, root)} ({len(files)} files)")
    try:
        added = add_addon(
            start,
            addon.name,
            reporter,
            path=folder,
            install_profile=install_profile,
            runtime=runtime,
            extras=TEST_EXTRAS,
        )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return CreateResult(
        folder, len(files), f"@@{addon.short_name}-hello", added, time.monotonic() - started
    )
