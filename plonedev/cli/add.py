"""`plonedev add ADDON KIND NAME`: parse, call the use case, show the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from plonedev import ui
from plonedev.cli.errors import reports_errors
from plonedev.cli.options import RuntimeOption

ADD_HELP = (
    "Add a piece to an add-on of sources/: content-type, behavior, view, upgrade-step or "
    "controlpanel.\n\n"
    "The piece's files are rendered from plonedev's templates into the add-on's package, "
    "with its registrations (ZCML, the default profile). The backend takes them in as "
    "`watch` would (a restart for ZCML and profile files), a content type or control "
    "panel gets the add-on's profile imported again in the site, and the site is asked "
    "for the piece. If any step fails, the add-on's files are put back."
)


@reports_errors
def add(
    addon: Annotated[str, typer.Argument(help="The add-on in sources/: acme.hello.")],
    kind: Annotated[
        str, typer.Argument(help="content-type, behavior, view, upgrade-step or controlpanel.")
    ],
    name: Annotated[str, typer.Argument(help="A Python identifier: Task, summary.")],
    runtime: RuntimeOption = None,
) -> None:
    from plonedev.commands.add_part import add_part

    result = add_part(Path.cwd(), addon, kind, name, ui.ConsoleReporter(), runtime=runtime)
    ui.console.print(
        f"[green]Added[/] the {result.kind.value} {escape(result.name)} to "
        f"{escape(result.addon)} in {result.seconds:.1f} s"
        + (f" (backend {result.backend})" if result.backend else "")
    )
    for path in result.files:
        ui.console.print(f"  {escape(path)}", soft_wrap=True)
    if result.note:
        ui.console.print(f"  [yellow]note[/]      {escape(result.note)}", soft_wrap=True)
    else:
        ui.console.print(f"  [bold]see[/]       {escape(result.url)}", soft_wrap=True)
