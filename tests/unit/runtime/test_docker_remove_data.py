"""`down --volumes` with Compose removes every volume of the project, also those of a
storage used before, which the current compose file no longer has."""

from __future__ import annotations

from pathlib import Path

from plonedev.config import load_config
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from plonedev.runtime.docker import DockerRuntime
from plonedev.runtime.docker_engine import ContainerInfo
from tests.conftest import write_pyproject


class _Engine:
    """A project's volumes, none of them in use; no containers."""

    def __init__(self, volumes: set[str]) -> None:
        self.volumes_ = volumes

    def volumes(self, project: str) -> list[str]:
        return sorted(self.volumes_)

    def containers(self, project: str) -> dict[str, ContainerInfo]:
        return {}

    def remove_volume(self, name: str) -> None:
        self.volumes_.remove(name)


def test_the_volumes_of_an_earlier_storage_go_too(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    project = build_project(
        load_config(write_pyproject(tmp_path, "")), paths, native_programs=False
    )
    engine = _Engine({"demo_backend-data", "demo_zeo-data"})  # FileStorage now, ZEO before
    runtime = DockerRuntime(paths, engine=engine)  # type: ignore[arg-type]
    stopped, removed = runtime.remove_data(project, lambda event: None)
    assert (stopped, removed) == ([], ["demo_backend-data", "demo_zeo-data"])
    assert engine.volumes_ == set()
