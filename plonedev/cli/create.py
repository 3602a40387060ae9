"""`plonedev create-addon`: parse, call the use case, show the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from plonedev import ui
from plonedev.cli.addons import print_added
from plonedev.cli.errors import reports_errors
from plonedev.cli.options import RuntimeOption
from plonedev.project import backend_url

CREATE_HELP = (
    "Create a new backend add-on in sources/NAME and add it to the project.\n\n"
    "NAME is a dotted Python name (collective.todo). The add-on has a pyproject.toml, a "
    "plone.autoinclude entry point, default and uninstall profiles, an upgrade step, a "
    "browser view (@@<last part>-hello), locales/ and pytest-plone tests. It is listed in "
    "mx.ini (vcs = fs), installed and activated like `add-addon --path`: if any step "
    "fails, nothing is left written."
)


@reports_errors
def create_addon(
    name: Annotated[str, typer.Argument(help="Dotted Python name: collective.todo.")],
    no_install: Annotated[
        bool, typer.Option("--no-install", help="Do not install its profile in the site.")
    ] = False,
    runtime: RuntimeOption = None,
) -> None:
    from plonedev.commands.create_addon import create_addon as run_create
    from plonedev.project_setup.context import open_project

    result = run_create(
        Path.cwd(), name, ui.ConsoleReporter(), install_profile=not no_install, runtime=runtime
    )
    print_added(result.added)
    config = open_project(Path.cwd()).config
    url = f"{backend_url(config)}/{config.site_id}/{result.view}"
    ui.console.print(f"  [bold]view[/]      {escape(url)}", soft_wrap=True)
