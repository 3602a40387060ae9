"""`plonedev watch`, also run by `plonedev up --watch` once the services are up."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from plonedev import ui

if TYPE_CHECKING:
    from plonedev.watch.outcome import ActionOutcome

WATCH_HELP = (
    "Watch sources/, compose/, mx.ini and pyproject.toml, and apply each change to the "
    "running services: Python code is reloaded in place (plone.reload, debug mode), ZCML, "
    "profiles and translations restart the backend, mx.ini and requirements reinstall it, "
    "a change to tool.plonedev or compose/ recreates only the services it concerns, "
    "a new VCL is loaded without losing the cache, a frontend's package.json reinstalls "
    "it. Natively or with Docker Compose. "
    "Ctrl-C stops watching; the services keep running (`plonedev down` stops them)."
)


def watch(
    runtime: Annotated[
        str | None,
        typer.Option("--runtime", "-r", help="auto, native or docker (default: as `up`)."),
    ] = None,
) -> None:
    run_watch(runtime)


def run_watch(runtime: str | None) -> None:
    """Watch in the foreground until Ctrl-C (or SIGTERM)."""
    from plonedev.commands.watch import watch as watch_project

    # SIGTERM stops watching the way Ctrl-C does; SIGINT too when started in the
    # background (`plonedev watch &`), where the shell set it to be ignored.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        watch_project(
            Path.cwd(),
            ui.ConsoleReporter(),
            runtime=runtime,
            on_outcome=_print_outcome,
        )
    except KeyboardInterrupt:
        ui.console.print(
            "Stopped watching. The services keep running (`plonedev down` stops them)."
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _print_outcome(outcome: ActionOutcome, line: str) -> None:
    stamp = time.strftime("%H:%M:%S")
    mark = "[green]✓[/]" if outcome.ok else "[bold red]✗[/]"
    ui.console.print(f"[dim]{stamp}[/] {mark} {escape(line)}", soft_wrap=True)
    if outcome.details:
        ui.console.print(escape(outcome.details), style="dim", soft_wrap=True)
