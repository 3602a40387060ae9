"""The `plonedev` command line."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from plonedev import ui
from plonedev.cli import add as add_cli
from plonedev.cli import addons as addons_cli
from plonedev.cli import cache as cache_cli
from plonedev.cli import create as create_cli
from plonedev.cli import deploy as deploy_cli
from plonedev.cli import develop as develop_cli
from plonedev.cli import frontend as frontend_cli
from plonedev.cli import i18n as i18n_cli
from plonedev.cli import ship as ship_cli
from plonedev.cli import site as site_cli
from plonedev.cli import snapshot as snapshot_cli
from plonedev.cli import stack as stack_cli
from plonedev.cli.errors import reports_errors, run_app
from plonedev.cli.options import JsonOption, NoSnapshotOption, RuntimeOption
from plonedev.cli.watch import WATCH_HELP, run_watch
from plonedev.cli.watch import watch as watch_command
from plonedev.errors import PlonedevError

app = typer.Typer(
    name="plonedev",
    help="The local development orchestrator for Plone 6.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_show_locals=False,
)


def _print_version(value: bool) -> None:
    if value:
        from plonedev import __version__

        typer.echo(f"plonedev {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print plonedev's version and exit.",
        ),
    ] = False,
) -> None:
    """The local development orchestrator for Plone 6."""


@app.command()
@reports_errors
def up(
    services: Annotated[
        list[str] | None,
        typer.Argument(help="Only these services and what they need (default: all)."),
    ] = None,
    runtime: RuntimeOption = None,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            "-w",
            help="Then watch the code and apply each change (see `plonedev watch`); "
            "Ctrl-C stops watching, the services keep running.",
        ),
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="The storage setting changed: start an empty site in the new storage "
            "(the old storage's data stays, in var/ or its volume).",
        ),
    ] = False,
) -> None:
    """Check out sources, install the backend, start the services, create the site."""
    from plonedev.commands.up import up as run_up

    names = tuple(services or ())
    result = run_up(Path.cwd(), ui.ConsoleReporter(), runtime=runtime, services=names, fresh=fresh)
    ui.print_up_summary(result)
    if watch:
        run_watch(runtime)


app.command(name="watch", help=WATCH_HELP)(reports_errors(watch_command))


@app.command()
@reports_errors
def down(
    runtime: RuntimeOption = None,
    volumes: Annotated[
        bool,
        typer.Option("--volumes", help="Also delete the site's data (asks first; see --yes)."),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before deleting.")] = False,
    every: Annotated[
        bool,
        typer.Option("--all", help="Stop every plonedev project on this machine (`plonedev ls`)."),
    ] = False,
    no_snapshot: NoSnapshotOption = False,
) -> None:
    """Stop the project's services. The data stays, unless --volumes."""
    from plonedev.commands.down import data_to_remove, down_all
    from plonedev.commands.down import down as run_down

    if every:
        if volumes or runtime:
            raise PlonedevError(
                "--all stops each project in its own runtime and keeps the data",
                "leave out --volumes and --runtime",
            )
        done = down_all(ui.ConsoleReporter())
        ui.print_down_all(done)
        if any(project.error for project in done):
            raise typer.Exit(1)
        return
    if volumes and not yes:
        name, doomed = data_to_remove(Path.cwd(), runtime=runtime)
        if doomed and not ui.confirm_deletion(name, doomed):
            raise typer.Exit(1)
    result = run_down(
        Path.cwd(),
        ui.ConsoleReporter(),
        runtime=runtime,
        remove_data=volumes,
        snapshot=not no_snapshot,
    )
    ui.console.print("Stopped." if result.stopped else "Nothing was running.")
    if result.removed:
        ui.console.print(f"Deleted the data: {', '.join(result.removed)}")


@app.command()
@reports_errors
def status(runtime: RuntimeOption = None, json: JsonOption = False) -> None:
    """Show each service's state, pid and URL."""
    from plonedev.commands.status import status as run_status

    result = run_status(Path.cwd(), runtime=runtime)
    if json:
        ui.print_json(
            {
                "project": result.project,
                "runtime": result.runtime,
                "services": [{**asdict(s), "state": s.state.value} for s in result.services],
            }
        )
    else:
        ui.console.print(ui.status_table(result.runtime, result.services))


@app.command(name="ls")
@reports_errors
def list_projects(json: JsonOption = False) -> None:
    """List the plonedev projects started on this machine: folder, runtime, URLs, state."""
    from plonedev.commands.ls import list_projects as run_ls

    projects = run_ls()
    if json:
        ui.print_json(
            {"projects": [{**asdict(project), "root": str(project.root)} for project in projects]}
        )
    else:
        ui.print_projects(projects)


@app.command()
@reports_errors
def logs(
    services: Annotated[list[str] | None, typer.Argument(help="Services (default: all).")] = None,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines.")
    ] = False,
    tail: Annotated[int | None, typer.Option("--tail", "-n", help="Last N lines each.")] = None,
    runtime: RuntimeOption = None,
) -> None:
    """Print the services' logs, each line prefixed with its service."""
    from plonedev.commands.logs import logs as run_logs

    names = tuple(services or ())
    lines = run_logs(Path.cwd(), names, follow=follow, tail=tail, runtime=runtime)
    width = max((len(n) for n in names), default=8)
    for line in lines:
        ui.print_log_line(line, width)


@app.command()
@reports_errors
def doctor(runtime: RuntimeOption = None, json: JsonOption = False) -> None:
    """Which runtime would run and why, missing programs, ports in use, the config read."""
    from plonedev.commands.doctor import doctor as run_doctor

    result = run_doctor(Path.cwd(), runtime=runtime)
    if json:
        ui.print_json(
            {
                "root": str(result.root),
                "runtime": result.runtime,
                "runtime_reason": result.runtime_reason,
                "healthy": result.healthy,
                "checks": [asdict(c) for c in result.checks],
                "config": result.config,
            }
        )
    else:
        ui.print_doctor(result)
    if not result.healthy:
        raise typer.Exit(1)


@app.command()
@reports_errors
def init(
    directory: Annotated[Path, typer.Argument(help="Where to create the project.")] = Path(),
    name: Annotated[str | None, typer.Option(help="Project name (default: folder).")] = None,
    frontend: Annotated[
        bool, typer.Option("--frontend", help="Also create a Volto project in frontend/.")
    ] = False,
) -> None:
    """Create a new plonedev project: pyproject.toml, mx.ini, sources/, compose/."""
    from plonedev.commands.init import init as run_init

    result = run_init(directory, name=name, frontend=frontend)
    ui.print_init_summary(result)


app.command(name="add-frontend", help=frontend_cli.ADD_FRONTEND_HELP)(
    reports_errors(frontend_cli.add_frontend)
)
app.command(name="add-addon", help=addons_cli.ADD_HELP)(addons_cli.add_addon)
app.command(name="create-addon", help=create_cli.CREATE_HELP)(create_cli.create_addon)
app.command(name="add", help=add_cli.ADD_HELP)(add_cli.add)
app.command(name="remove-addon")(addons_cli.remove_addon)
app.command(name="addons")(addons_cli.addons)
app.command(name="i18n", help=i18n_cli.I18N_HELP)(i18n_cli.i18n)
app.command(name="test", help=develop_cli.TEST_HELP, cls=develop_cli.PassThrough)(develop_cli.test)
app.command(name="console", help=develop_cli.CONSOLE_HELP)(develop_cli.console)
app.command(name="debug", help=develop_cli.DEBUG_HELP)(develop_cli.debug)
app.command(
    name="run",
    help=develop_cli.RUN_HELP,
    cls=develop_cli.PassThrough,
    context_settings={"ignore_unknown_options": True},
)(develop_cli.run)
app.add_typer(site_cli.site_app, name="site")
app.command(name="snapshot", help=snapshot_cli.SNAPSHOT_HELP)(snapshot_cli.snapshot)
app.command(name="snapshots")(snapshot_cli.snapshots)
app.command(name="restore", help=snapshot_cli.RESTORE_HELP)(snapshot_cli.restore)
app.command(name="build", help=stack_cli.BUILD_HELP)(stack_cli.build)
app.add_typer(cache_cli.cache_app, name="cache")
app.command(name="export-stack", help=stack_cli.EXPORT_HELP)(stack_cli.export_stack)
app.command(name="ci", help=ship_cli.CI_HELP)(ship_cli.ci)
app.command(name="deploy", help=deploy_cli.DEPLOY_HELP)(deploy_cli.deploy)
app.add_typer(deploy_cli.stack_app, name="stack")
app.command(name="export-k8s", help=ship_cli.K8S_HELP)(ship_cli.export_k8s)


def main() -> None:
    sys.exit(run_app(app))
