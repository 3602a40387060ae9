"""`plonedev add-addon`, `remove-addon` and `addons`: parse, call the use case, show the result."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from plonedev import ui
from plonedev.cli.errors import reports_errors
from plonedev.cli.options import JsonOption, NoSnapshotOption, RuntimeOption

if TYPE_CHECKING:
    from plonedev.addons.timing import StepTime
    from plonedev.commands.add_addon import AddResult
    from plonedev.commands.addons import AddonsResult
    from plonedev.commands.remove_addon import RemoveResult


ADD_HELP = (
    "Add an add-on to the project, install it and activate it in the site.\n\n"
    "From the package index: NAME or NAME==VERSION, kept in tool.plonedev.addons. "
    "From git: --git URL [--branch B | --tag T], an mx.ini section checked out into "
    "sources/. From a folder: --path DIR, an mx.ini section with vcs = fs.\n\n"
    "Then the backend restarts and the add-on's profile is installed in the site "
    "(unless --no-install). If any step fails, everything is put back as it was."
)


@reports_errors
def add_addon(
    name: Annotated[
        str, typer.Argument(help="Distribution name, with a version for the index: NAME[==V].")
    ],
    git: Annotated[
        str | None, typer.Option("--git", help="Check it out from this git URL.")
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Git branch to follow.")] = None,
    tag: Annotated[str | None, typer.Option("--tag", help="Git tag to pin.")] = None,
    path: Annotated[
        Path | None, typer.Option("--path", help="Use the package in this folder.")
    ] = None,
    no_install: Annotated[
        bool, typer.Option("--no-install", help="Do not install its profile in the site.")
    ] = False,
    runtime: RuntimeOption = None,
) -> None:
    from plonedev.commands.add_addon import add_addon as run_add

    result = run_add(
        Path.cwd(),
        name,
        ui.ConsoleReporter(),
        git=git,
        branch=branch,
        tag=tag,
        path=path,
        install_profile=not no_install,
        runtime=runtime,
    )
    print_added(result)


@reports_errors
def remove_addon(
    name: Annotated[str, typer.Argument(help="The add-on's distribution name.")],
    keep_profile: Annotated[
        bool,
        typer.Option("--keep-profile", help="Do not uninstall its profile from the site."),
    ] = False,
    runtime: RuntimeOption = None,
    no_snapshot: NoSnapshotOption = False,
) -> None:
    """Uninstall an add-on from the site, the environment and the project's config."""
    from plonedev.commands.remove_addon import remove_addon as run_remove

    result = run_remove(
        Path.cwd(),
        name,
        ui.ConsoleReporter(),
        uninstall_profile=not keep_profile,
        runtime=runtime,
        snapshot=not no_snapshot,
    )
    _print_removed(result)


@reports_errors
def addons(
    runtime: RuntimeOption = None,
    json: JsonOption = False,
) -> None:
    """List the add-ons: in the config, checked out, installed, profile installed in the site."""
    from plonedev.commands.addons import list_addons

    result = list_addons(Path.cwd(), runtime=runtime)
    if json:
        ui.print_json(
            {
                "project": result.project,
                "site": result.site,
                "site_state": result.site_state,
                "addons": [asdict(addon) for addon in result.addons],
            }
        )
    else:
        ui.console.print(_addons_table(result))


def print_added(result: AddResult) -> None:
    console = ui.console
    version = f" {result.version}" if result.version else ""
    imported = f" (import {result.import_name})" if result.import_name else ""
    console.print()
    console.print(f"[bold green]Added {escape(result.name)}{escape(version)}[/]{escape(imported)}")
    for edit in result.edits:
        console.print(f"  [bold]config[/]    {escape(edit)}", soft_wrap=True)
    if result.checkout is not None:
        console.print(f"  [bold]code[/]      {escape(str(result.checkout))}", soft_wrap=True)
    console.print(f"  [bold]installed[/] {escape(result.environment)}")
    if result.profile:
        site = escape(repr(result.site))
        console.print(f"  [bold]site[/]      {escape(result.profile)} installed in {site}")
    elif result.profile_note:
        console.print(f"  [bold]site[/]      {escape(result.profile_note)}", soft_wrap=True)
    for warning in result.warnings:
        ui.ConsoleReporter().warn(warning)
    print_steps(result.steps, result.seconds)


def _print_removed(result: RemoveResult) -> None:
    console = ui.console
    console.print()
    console.print(f"[bold green]Removed {escape(result.name)}[/]")
    if result.profile:
        site = escape(repr(result.site))
        console.print(f"  [bold]site[/]      {escape(result.profile)} uninstalled from {site}")
    elif result.profile_note:
        console.print(f"  [bold]site[/]      {escape(result.profile_note)}", soft_wrap=True)
    for edit in result.edits:
        console.print(f"  [bold]config[/]    {escape(edit)}", soft_wrap=True)
    if result.uninstalled:
        names = ", ".join(result.uninstalled)
        console.print(
            f"  [bold]env[/]       uninstalled from {escape(result.environment)}: {escape(names)}",
            soft_wrap=True,
        )
    if result.checkout_removed is not None:
        console.print(f"  [bold]code[/]      deleted {escape(str(result.checkout_removed))}")
    for warning in result.warnings:
        ui.ConsoleReporter().warn(warning)
    print_steps(result.steps, result.seconds)


def print_steps(steps: tuple[StepTime, ...], seconds: float) -> None:
    split = ", ".join(f"{step.key} {step.seconds:.1f} s" for step in steps)
    ui.console.print(f"[dim]Took {seconds:.1f} s ({escape(split)}).[/]")


_PROFILE_STYLE = {"installed": "green", "not installed": "yellow", "no profile": "dim"}


def _addons_table(result: AddonsResult) -> Table:
    table = Table(
        title=f"Add-ons (site {result.site!r}: {result.site_state})", title_justify="left"
    )
    for column in ("add-on", "from", "code", "installed", "profile in the site"):
        table.add_column(column, overflow="fold")  # names are never cut short
    for addon in result.addons:
        origin = f"{addon.origin} {addon.requirement}"
        if addon.ref:
            origin += f" @ {addon.ref}"
        if addon.origin == "path":
            origin = "folder"
        code = escape(addon.checkout_path or "-")
        if addon.checkout in ("not checked out", "missing folder"):
            code = f"[red]{code} ({addon.checkout})[/]"
        elif addon.dirty:
            code += " [yellow](local changes)[/]"
        installed = "[red]not installed[/]"
        if addon.installed:
            installed = escape(addon.installed)
            if addon.import_name:
                installed += f" [dim]({escape(addon.import_name)})[/]"
        style = _PROFILE_STYLE.get(addon.profile, "dim")
        profile = f"[{style}]{addon.profile}[/]"
        if addon.detail:
            detail = f"({addon.detail})" if addon.profile == "unknown" else addon.detail
            profile += f" [dim]{escape(detail)}[/]"
        table.add_row(escape(addon.name), escape(origin), code, installed, profile)
    if not result.addons:
        table.caption = "No add-ons yet: `plonedev add-addon NAME` adds one."
    return table
