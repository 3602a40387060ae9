"""`plonedev test [ADDON...] [-- ARGS]`: the add-ons' tests in the backend's environment.

Each add-on's tests run in its own folder, with the backend's packages (natively the
venv; with Compose a one-off container of the backend image, the add-ons mounted from
sources/), through run_tests.py there: pytest with pytest-plone where the add-on
configures pytest, zope.testrunner where it does not. The test layers make their own
demo storage: the running site's database is never opened. The exit code is the first
failing run's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.runtime.backend_shell import run_attached
from plonedev.runtimes.registry import open_running_project
from plonedev.sources.chosen import chosen_sources
from plonedev.sources.mxini import SourceSpec

RUN_TESTS = Path(__file__).parents[1] / "backend" / "scripts" / "run_tests.py"

# pytest options whose value is the next argument: that value is not a test path.
_TAKES_VALUE = frozenset({"-k", "-m", "-p", "-o", "-c", "-W", "-n", "--deselect", "--ignore"})


@dataclass(frozen=True)
class AddonTestRun:
    addon: str
    exit_code: int


def run_tests(
    start: Path,
    addons: Sequence[str] = (),
    args: Sequence[str] = (),
    *,
    coverage: bool = False,
    runtime: str | None = None,
    on_start: Callable[[str], None] | None = None,
) -> list[AddonTestRun]:
    running = open_running_project(start, runtime)
    specs = chosen_sources(running.context.paths.root, addons)
    if not specs:
        raise PlonedevError(
            "no add-on is checked out in sources/ to test",
            "create one with `plonedev create-addon NAME`, or run `plonedev up`",
        )
    for spec in specs:
        _check_paths(spec, args)
    results = []
    for spec in specs:
        shell = running.runtime.backend_shell(running.project)
        argv = ["python", shell.inside(RUN_TESTS), *(["--cov"] if coverage else []), *args]
        # A container's add-on folder is a read-only mount: its coverage data goes to /tmp.
        env = {"COVERAGE_FILE": "/tmp/.coverage"} if shell.one_off else {}  # noqa: S108
        command = shell.command(argv, workdir=spec.path, env=env, tty=sys.stdout.isatty())
        if on_start is not None:
            on_start(spec.name)
        results.append(AddonTestRun(spec.name, run_attached(command)))
    return results


def exit_code(results: Sequence[AddonTestRun]) -> int:
    return next((r.exit_code for r in results if r.exit_code != 0), 0)


def _check_paths(spec: SourceSpec, args: Sequence[str]) -> None:
    """A test path that does not exist in the add-on: one line, before anything runs."""
    previous = ""
    for arg in args:
        if not arg.startswith("-") and previous not in _TAKES_VALUE:
            path = arg.split("::", 1)[0]
            if ("/" in path or path.endswith(".py")) and not (spec.path / path).exists():
                raise PlonedevError(
                    f"{spec.name} has no test path {path!r} (looked in {spec.path})",
                    "give a path relative to the add-on's folder, e.g. tests/test_setup.py",
                )
        previous = arg
