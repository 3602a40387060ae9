"""`plonedev cache` and `plonedev cache purge`: Varnish's counters, emptying its cache."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from plonedev import ui
from plonedev.cli.errors import reports_errors
from plonedev.cli.options import JsonOption, RuntimeOption

CACHE_HELP = (
    "Varnish's hit ratio, cached objects and purges since it started "
    "(`plonedev cache purge` empties it)."
)

cache_app = typer.Typer(help=CACHE_HELP, no_args_is_help=False)


@cache_app.callback(invoke_without_command=True)
@reports_errors
def cache(
    context: typer.Context,
    runtime: RuntimeOption = None,
    json: JsonOption = False,
) -> None:
    if context.invoked_subcommand is not None:
        return
    from plonedev.commands.cache import stats

    result = stats(Path.cwd(), runtime=runtime)
    ratio = result.hit_ratio
    if json:
        ui.print_json(
            {
                "version": 1,
                "hit_ratio": ratio,
                "hits": result.hits,
                "misses": result.misses,
                "objects": result.objects,
                "purges": result.purges,
                "requests": result.requests,
                "backend_requests": result.backend_requests,
                "uptime": result.uptime,
            }
        )
        return
    shown = f"{ratio:.1%}" if ratio is not None else "n/a (no lookups yet)"
    ui.console.print(
        f"hit ratio {shown} ({result.hits} hits, {result.misses} misses)\n"
        f"objects   {result.objects}\n"
        f"purges    {result.purges}\n"
        f"requests  {result.requests} ({result.backend_requests} reached the backend) "
        f"in {result.uptime} s"
    )


@cache_app.command()
@reports_errors
def purge(
    path: Annotated[
        str | None, typer.Argument(help="A URL path such as /news (its JSON and pages too).")
    ] = None,
    all_pages: Annotated[bool, typer.Option("--all", help="Empty the whole cache.")] = False,
    runtime: RuntimeOption = None,
) -> None:
    """Drop a page from Varnish, or everything with --all."""
    from plonedev.commands.cache import purge as run_purge
    from plonedev.errors import PlonedevError

    if (path is None) == (not all_pages):
        raise PlonedevError("give a PATH or --all, not both", "e.g. plonedev cache purge /news")
    expression = run_purge(Path.cwd(), None if all_pages else path, runtime=runtime)
    ui.console.print(f"Purged: {escape(expression)}")
