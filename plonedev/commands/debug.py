"""`plonedev debug`: the backend in this terminal's foreground, so `breakpoint()` in an
add-on stops here (pdb), or under debugpy for an IDE to attach.

The supervised backend (process or container) stops first: one Zope at a time holds the
port (and a FileStorage's lock). When the foreground one exits (Ctrl-C), the supervised
backend starts again, as `up` starts it.
"""

from __future__ import annotations

import json
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.files import write_atomic
from plonedev.model import Role
from plonedev.project_setup.find_project import RunningProject
from plonedev.project_setup.paused import services_paused
from plonedev.render.vscode import attach_configuration, merged_launch_json
from plonedev.report import Reporter
from plonedev.runtime.backend_shell import run_attached
from plonedev.runtimes.registry import open_running_project
from plonedev.sources import list_sources

DEFAULT_DEBUGPY_PORT = 5678


def debug(
    start: Path,
    reporter: Reporter,
    *,
    runtime: str | None = None,
    debugpy_port: int | None = None,
) -> int:
    """Run the backend attached to the terminal until it exits; its exit code."""
    running = open_running_project(start, runtime)
    backend = running.project.by_role(Role.BACKEND)
    assert backend is not None  # every project has one
    shell = running.runtime.backend_shell(running.project)
    command = shell.serve(backend, debugpy_port=debugpy_port)
    reporter.info(
        "Stopping the supervised backend: it runs here until Ctrl-C, then starts again"
        + (f"; debugpy listens on 127.0.0.1:{debugpy_port}" if debugpy_port else "")
    )
    with services_paused(running, (backend.name,), reporter.event) as stopped:
        try:
            return run_attached(command)
        finally:
            if stopped:
                reporter.info("Starting the supervised backend again")


def write_launch_json(start: Path, port: int, *, runtime: str | None = None) -> Path:
    """.vscode/launch.json with the attach configuration for this project's runtime."""
    running = open_running_project(start, runtime)
    root = running.context.paths.root
    path = root / ".vscode" / "launch.json"
    existing = _read_launch_json(path)
    configuration = attach_configuration(port, _path_mappings(running))
    write_atomic(path, merged_launch_json(existing, configuration))
    return path


def _path_mappings(running: RunningProject) -> dict[str, str]:
    shell = running.runtime.backend_shell(running.project)
    root = running.context.paths.root
    mappings = {}
    for spec in list_sources(root):
        inside = shell.inside(spec.path)
        if inside != str(spec.path):  # natively the backend reads the editor's files
            mappings[spec.path.relative_to(root).as_posix()] = inside
    return mappings


def _read_launch_json(path: Path) -> dict[str, object] | None:
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise PlonedevError(
            f"{path} is not plain JSON ({error}); nothing was written",
            "remove its comments or trailing commas, or add the configuration by hand",
        ) from None
    if not isinstance(document, dict):
        raise PlonedevError(f"{path} does not hold a JSON object", "fix or remove it")
    return document
