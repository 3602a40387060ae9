"""`plonedev test`, `console` and `run`: code run in the backend's own environment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperCommand

from plonedev import ui
from plonedev.cli.errors import reports_errors
from plonedev.cli.options import RuntimeOption
from plonedev.errors import PlonedevError

TEST_HELP = (
    "Run the add-ons' tests in the backend's environment (pytest with pytest-plone, or "
    "zope.testrunner); arguments after -- go to the test runner. Exit code = the tests'."
)
CONSOLE_HELP = (
    "A Python console with `app` (the Zope root) and `site` bound, on the site's "
    "database; piped stdin runs as a script."
)
RUN_HELP = (
    "Run a Python script with `app` and `site` bound (commit with transaction.commit()); "
    "exit code = the script's."
)


class PassThrough(TyperCommand):
    """Keeps what follows `--` for another program (Click would mix it into the
    arguments): in ctx.meta["passthrough"]."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if "--" in args:
            split = args.index("--")
            ctx.meta["passthrough"] = args[split + 1 :]
            args = args[:split]
        return super().parse_args(ctx, args)


@reports_errors
def test(
    ctx: typer.Context,
    addons: Annotated[
        list[str] | None, typer.Argument(help="Add-ons from mx.ini (default: all checked out).")
    ] = None,
    cov: Annotated[bool, typer.Option("--cov", help="Measure coverage (pytest-cov).")] = False,
    runtime: RuntimeOption = None,
) -> None:
    from plonedev.commands.addon_tests import exit_code, run_tests

    results = run_tests(
        Path.cwd(),
        tuple(addons or ()),
        tuple(ctx.meta.get("passthrough", ())),
        coverage=cov,
        runtime=runtime,
        on_start=lambda name: ui.console.rule(f"[bold]{name}[/]"),
    )
    if len(results) > 1:
        for result in results:
            verdict = "passed" if result.exit_code == 0 else f"failed (exit {result.exit_code})"
            ui.console.print(f"{result.addon}: {verdict}")
    raise typer.Exit(exit_code(results))


@reports_errors
def console(runtime: RuntimeOption = None) -> None:
    from plonedev.commands.console import console as run_console

    raise typer.Exit(run_console(Path.cwd(), ui.ConsoleReporter(ui.err_console), runtime=runtime))


@reports_errors
def run(
    ctx: typer.Context,
    script: Annotated[Path, typer.Argument(help="A Python file.")],
    args: Annotated[list[str] | None, typer.Argument(help="The script's arguments.")] = None,
    runtime: RuntimeOption = None,
) -> None:
    from plonedev.commands.console import run_script

    arguments = [*(args or ()), *ctx.meta.get("passthrough", ())]
    reporter = ui.ConsoleReporter(ui.err_console)
    raise typer.Exit(run_script(Path.cwd(), script, arguments, reporter, runtime=runtime))


DEBUG_HELP = (
    "The backend in this terminal, so breakpoint() stops here (pdb); Ctrl-C gives it back "
    "to plonedev. --debugpy: for an IDE to attach; --write-launch-json: VS Code's config."
)


@reports_errors
def debug(
    debugpy: Annotated[
        bool, typer.Option("--debugpy", help="Run it under debugpy, for an IDE to attach.")
    ] = False,
    port: Annotated[int, typer.Option(help="debugpy's port (on 127.0.0.1).")] = 5678,
    write_launch_json: Annotated[
        bool,
        typer.Option(
            "--write-launch-json",
            help="Write .vscode/launch.json's attach configuration (path mappings for this "
            "runtime) and exit.",
        ),
    ] = False,
    runtime: RuntimeOption = None,
) -> None:
    from plonedev.commands.debug import debug as run_debug
    from plonedev.commands.debug import write_launch_json as write

    if not 0 < port < 65536:
        raise PlonedevError(f"--port {port} is not a TCP port", "use a port from 1 to 65535")
    if write_launch_json:
        path = write(Path.cwd(), port, runtime=runtime)
        ui.console.print(f"Wrote {path}: attach with `plonedev debug --debugpy --port {port}`")
        return
    reporter = ui.ConsoleReporter(ui.err_console)
    code = run_debug(Path.cwd(), reporter, runtime=runtime, debugpy_port=port if debugpy else None)
    raise typer.Exit(code)
