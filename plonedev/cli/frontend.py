"""`plonedev add-frontend`: scaffold a Volto project inside an existing plonedev project."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from plonedev import ui

ADD_FRONTEND_HELP = (
    "Create a Volto 18 project (with a frontend add-on) in frontend/ and set "
    "tool.plonedev.frontend: `plonedev up` then installs it with pnpm and starts Volto's "
    "development server once the site exists."
)


def add_frontend(
    directory: Annotated[
        str, typer.Option("--directory", "-d", help="Folder inside the project.")
    ] = "frontend",
    addon: Annotated[
        str | None,
        typer.Option(help="npm name of the frontend add-on (default: volto-<project>)."),
    ] = None,
) -> None:
    from plonedev.commands.frontend import add_frontend as run_add_frontend

    result = run_add_frontend(Path.cwd(), directory=directory, addon=addon)
    for path in result.created:
        ui.console.print(f"[green]created[/] {escape(str(path.relative_to(result.root)))}")
    for path in result.updated:
        ui.console.print(f"[yellow]updated[/] {escape(str(path.relative_to(result.root)))}")
    ui.console.print(
        f"Frontend add-on: {escape(result.addon)}. Next: plonedev up "
        "(the first run fetches Volto and installs it with pnpm)"
    )
