"""Find the project a command runs in and load its config, once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from plonedev.config import PlonedevConfig, load_config
from plonedev.errors import ConfigError, PlonedevError
from plonedev.model import Project
from plonedev.paths import ProjectPaths
from plonedev.runtime.port_choice import with_ports
from plonedev.runtime.protocol import Runtime
from plonedev.runtime.record import record_file
from plonedev.runtime.select import Resolution


@dataclass(frozen=True)
class ProjectContext:
    paths: ProjectPaths
    config: PlonedevConfig


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` whose pyproject.toml has [tool.plonedev]."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _has_plonedev_section(candidate):
            return folder
    return start  # load_config then says precisely what is missing


def _has_plonedev_section(pyproject: Path) -> bool:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return True  # let load_config report the broken file itself
    tool = data.get("tool")
    return isinstance(tool, dict) and "plonedev" in tool


def open_project(start: Path) -> ProjectContext:
    root = find_root(start)
    paths = ProjectPaths(root)
    if not paths.pyproject.is_file():
        raise ConfigError(
            f"no pyproject.toml with [tool.plonedev] in {start} or above",
            "run `plonedev init` to create a project, or cd into one",
        )
    return ProjectContext(paths, load_project_config(paths))


def load_project_config(paths: ProjectPaths) -> PlonedevConfig:
    """The config, with the ports `up` took for this project in place of taken defaults."""
    ports = record_file(paths.state).read().ports
    return with_ports(load_config(paths.pyproject), ports)


@dataclass(frozen=True)
class RunningProject:
    """A project with its service model and the runtime chosen for it."""

    context: ProjectContext
    project: Project
    runtime: Runtime
    resolution: Resolution


def require_services(project: Project, names: tuple[str, ...]) -> None:
    """One line naming a service the project does not have, and the ones it has."""
    unknown = [name for name in names if name not in project.service_names]
    if unknown:
        raise PlonedevError(
            f"no service named {unknown[0]!r} in this project",
            f"choose from {', '.join(project.service_names)}",
        )
