"""The error boundary: any error becomes one line on stderr and an exit code.

A PlonedevError names the problem and its fix; anything else is a bug, whose traceback
goes to a crash log (plonedev.cli.crash) instead of the screen. A usage error (an
unknown command or option, `--port abc`) is one line too, not Click's boxed usage text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

# Typer 0.29 carries its own Click: its exceptions are these, not click's.
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from plonedev import ui
from plonedev.cli import crash
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
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # Typer's own ways out: an exit code, or a usage error it prints itself
        except Exception as error:
            if crash.wants_traceback():
                raise
            ui.print_bug(crash.describe(error), _crash_log(error))
            raise typer.Exit(crash.EXIT_BUG) from None

    return wrapper


def _crash_log(error: BaseException) -> str:
    try:
        return str(crash.write_crash_log(error))
    except OSError as unwritable:  # the report must not hide the bug behind another
        return f"not written ({unwritable.strerror}); run again with {crash.TRACEBACK_ENV}=1"


def run_app(app: typer.Typer, args: list[str] | None = None) -> int:
    """Run the CLI; its exit code, after a usage error printed as one line."""
    try:
        code = app(args=args, prog_name="plonedev", standalone_mode=False)
    except NoArgsIsHelpError as error:  # `plonedev site`: the help is the answer
        ui.console.print(error.format_message())
        return error.exit_code
    except UsageError as error:  # an unknown command or option, `--port abc`
        command = error.ctx.command_path if error.ctx else "plonedev"
        message = error.format_message().splitlines()[0]
        ui.print_error(PlonedevError(message, f"see `{command} --help`"))
        return error.exit_code
    except ClickException as error:
        ui.print_error(PlonedevError(error.format_message(), ""))
        return error.exit_code
    except typer.Abort:  # EOF at a prompt
        ui.err_console.print("Aborted.")
        return 1
    return code if isinstance(code, int) else 0
