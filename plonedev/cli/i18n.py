"""`plonedev i18n`: the add-ons' translation catalogs, rebuilt or checked."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plonedev import ui
from plonedev.cli.errors import reports_errors

I18N_HELP = (
    "Rebuild the .pot and sync the .po files of the add-ons in sources/ (i18ndude); "
    "--check exits 1 when a file would change (for CI)."
)


@reports_errors
def i18n(
    addons: Annotated[
        list[str] | None, typer.Argument(help="Add-ons from mx.ini (default: all).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a catalog is outdated.")
    ] = False,
    language: Annotated[
        list[str] | None,
        typer.Option("--language", "-l", help="Also start a catalog for this language."),
    ] = None,
) -> None:
    from plonedev.commands.i18n import i18n as run_i18n

    root = Path.cwd()
    result = run_i18n(root, tuple(addons or ()), check=check, languages=tuple(language or ()))
    for path in result.changed_files:
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        ui.console.print(f"{'outdated' if check else 'updated'}: {shown}")
    if not result.changed_files:
        ui.console.print(f"Up to date: {len(result.changes)} catalog(s).")
    elif check:
        ui.err_console.print(
            f"[bold red]Error:[/] {len(result.changed_files)} translation file(s) are outdated "
            "— run `plonedev i18n` and commit the result"
        )
        raise typer.Exit(1)
