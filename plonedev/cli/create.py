"""`plonedev create-addon`: parse, call the use case, show the result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from plonedev import ui
from plonedev.cli.addons import print_added, print_steps
from plonedev.cli.errors import reports_errors
from plonedev.cli.options import RuntimeOption
from plonedev.errors import PlonedevError
from plonedev.model_builder import backend_url

if TYPE_CHECKING:
    from plonedev.commands.create_frontend_addon import FrontendAddonResult

CREATE_HELP = (
    "Create a new backend add-on in sources/NAME and add it to the project; with "
    "--frontend, a Volto add-on in the frontend's packages/NAME.\n\n"
    "Backend: NAME is a dotted Python name (collective.todo). The add-on has a "
    "pyproject.toml, a plone.autoinclude entry point, default and uninstall profiles, an "
    "upgrade step, a browser view (@@<last part>-hello), locales/ and pytest-plone tests. "
    "It is listed in mx.ini (vcs = fs), installed and activated like `add-addon --path`.\n\n"
    "Frontend: NAME is an npm package name (volto-todo). The add-on's applyConfig adds a "
    "page at /hello-<name>; the frontend's package.json depends on it (workspace:*) and "
    "volto.config.js lists it, pnpm links it in and a running dev server restarts with "
    "it.\n\nIf any step fails, nothing is left written."
)


@reports_errors
def create_addon(
    name: Annotated[
        str,
        typer.Argument(help="Dotted Python name (collective.todo); npm name with --frontend."),
    ],
    frontend: Annotated[
        bool, typer.Option("--frontend", help="A Volto add-on in the frontend's packages/.")
    ] = False,
    no_install: Annotated[
        bool, typer.Option("--no-install", help="Do not install its profile in the site.")
    ] = False,
    runtime: RuntimeOption = None,
) -> None:
    if frontend:
        if no_install:
            raise PlonedevError(
                "--no-install is for backend add-ons (a profile in the site)",
                "leave it out: a frontend add-on has no profile",
            )
        from plonedev.commands.create_frontend_addon import create_frontend_addon

        _print_frontend(
            create_frontend_addon(Path.cwd(), name, ui.ConsoleReporter(), runtime=runtime)
        )
        return
    from plonedev.commands.create_addon import create_addon as run_create
    from plonedev.project_setup.find_project import open_project

    result = run_create(
        Path.cwd(), name, ui.ConsoleReporter(), install_profile=not no_install, runtime=runtime
    )
    print_added(result.added)
    config = open_project(Path.cwd()).config
    url = f"{backend_url(config)}/{config.site_id}/{result.view}"
    ui.console.print(f"  [bold]view[/]      {escape(url)}", soft_wrap=True)


def _print_frontend(result: FrontendAddonResult) -> None:
    console = ui.console
    console.print()
    console.print(f"[bold green]Created the frontend add-on {escape(result.addon.name)}[/]")
    console.print(f"  [bold]code[/]      {escape(str(result.folder))}", soft_wrap=True)
    for edit in result.edits:
        console.print(f"  [bold]config[/]    {escape(edit)}", soft_wrap=True)
    console.print(f"  [bold]installed[/] {escape(result.installed)}", soft_wrap=True)
    if result.restarted:
        shown = "shows" if result.page_shown else "does not show"
        state = f"restarted with it; its page {shown} {result.addon.greeting!r}"
    else:
        state = "not running: `plonedev up` starts it with the add-on"
    console.print(f"  [bold]frontend[/]  {escape(state)}", soft_wrap=True)
    console.print(f"  [bold]page[/]      {escape(result.page)}", soft_wrap=True)
    for warning in result.warnings:
        ui.ConsoleReporter().warn(warning)
    print_steps(result.steps, result.seconds)
