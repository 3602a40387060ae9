"""The error boundary: a PlonedevError becomes one line on stderr and an exit code."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from plonedev import ui
from plonedev.errors import PlonedevError

P = ParamSpec("P")
R = TypeVar("R")


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except PlonedevError as error:
            ui.print_error(error)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            ui.err_console.print("Interrupted.")
            raise typer.Exit(130) from None

    return wrapper
