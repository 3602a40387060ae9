"""`plonedev site ...`: the Plone site itself."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from plonedev import ui
from plonedev.cli.errors import reports_errors
from plonedev.cli.options import NoSnapshotOption, RuntimeOption

site_app = typer.Typer(help="The Plone site: start it again from scratch.", no_args_is_help=True)


@site_app.command("reset")
@reports_errors
def reset(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False,
    example_content: Annotated[
        bool,
        typer.Option(
            "--example-content", help="Create it with the distribution's example content."
        ),
    ] = False,
    runtime: RuntimeOption = None,
    no_snapshot: NoSnapshotOption = False,
) -> None:
    """Delete the site and all its content, then create it as a first `up` does."""
    from plonedev.commands.site_reset import reset_site, site_to_reset

    if not yes:
        project, site_id = site_to_reset(Path.cwd(), runtime)
        if not ui.confirm_site_reset(project, site_id):
            raise typer.Exit(1)
    result = reset_site(
        Path.cwd(),
        ui.ConsoleReporter(),
        runtime=runtime,
        example_content=example_content,
        snapshot=not no_snapshot,
    )
    ui.print_up_summary(result)
