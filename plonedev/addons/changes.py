"""What every add-on change shares: the files it may touch, reloading the config after an
edit, and the error that says what failed and what was undone."""

from __future__ import annotations

from pathlib import Path

from plonedev.addons.environment import BackendEnvironment
from plonedev.addons.transaction import Rollback
from plonedev.errors import PlonedevError, ServiceError
from plonedev.paths import ProjectPaths
from plonedev.project_setup.find_project import ProjectContext, open_project
from plonedev.sources import CONSTRAINTS_OUT, REQUIREMENTS_OUT
from plonedev.sources.result import RECORD


def changed_files(context: ProjectContext, environment: BackendEnvironment) -> list[Path]:
    """Every file an add-on change may write: the user's config, and the generated files
    that follow from it (restored with it, so the next `up` finds them consistent)."""
    paths = context.paths
    state = paths.state
    return [
        paths.pyproject,
        paths.mx_ini,
        state / "requirements-in.txt",
        state / REQUIREMENTS_OUT,
        state / CONSTRAINTS_OUT,
        state / RECORD,
        *environment.files(context),
    ]


def reopen(context: ProjectContext) -> ProjectContext:
    """The project's config read again after an edit (ConfigError if the edit broke it)."""
    return open_project(context.paths.root)


def rolled_back(
    error: BaseException, rollback: Rollback, paths: ProjectPaths, command: str
) -> BaseException:
    """The error to raise after a rollback: the original problem, then what was undone."""
    undone = f"{command} rolled back: {rollback.describe(paths.root, paths.state)}"
    if isinstance(error, ServiceError):
        return ServiceError(f"{error.message}\n{undone}", error.hint, error.details)
    if isinstance(error, PlonedevError):
        # Keeps the tool output shown above the line (a ToolFailed's, too).
        return PlonedevError(f"{error.message}\n{undone}", error.hint, error.details)
    if isinstance(error, KeyboardInterrupt):
        return PlonedevError(f"interrupted\n{undone}")
    return error  # a bug: keep its traceback (the rollback ran all the same)


def reason(error: BaseException) -> str:
    """The first line of what went wrong, for the line that announces the rollback."""
    if isinstance(error, PlonedevError):
        return error.message.splitlines()[0]
    return "interrupted" if isinstance(error, KeyboardInterrupt) else type(error).__name__


def shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
