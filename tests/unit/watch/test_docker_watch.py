"""The Docker side of the watcher without an engine: paths, outdated services, varnishadm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plonedev.model import Container, Project, Service
from plonedev.model_builder import build_project
from plonedev.project_setup.find_project import RunningProject, open_project
from plonedev.render.containers import backend_image
from plonedev.report import QuietReporter
from plonedev.runtime.docker_compose import Compose
from plonedev.varnish import admin
from plonedev.varnish.admin import ContainerAdmin
from plonedev.watch import compose_runtime
from plonedev.watch.compose_runtime import WatchedDockerRuntime, outdated_services
from plonedev.watch.docker_workspace import DockerWorkspace, host_path
from tests.conftest import write_pyproject

ROOT = Path("/home/dev/project")


@pytest.mark.parametrize(
    ("inside", "host"),
    [
        (
            "/app/project/sources/demo/src/demo/views.py",
            ROOT / "sources" / "demo" / "src" / "demo" / "views.py",
        ),
        (
            "/app/venv/lib/python3.11/site-packages/x.py",
            "/app/venv/lib/python3.11/site-packages/x.py",
        ),
    ],
)
def test_plone_reload_paths_in_the_container_are_shown_as_the_hosts(
    inside: str, host: Path | str
) -> None:
    assert host_path(ROOT, Path(inside)) == Path(host)


class FakeEngine:
    def __init__(self, containers: list[dict[str, Any]], images: dict[str, str]) -> None:
        self.images = images
        self.client = self
        self.api = self
        self.listed = containers

    def containers(self, all: bool, filters: dict[str, str]) -> list[dict[str, Any]]:
        return self.listed

    def image_id(self, reference: str) -> str | None:
        return self.images.get(reference)


def _container(service: str, config_hash: str, image: str, oneoff: str = "False") -> dict[str, Any]:
    return {
        "Labels": {
            "com.docker.compose.service": service,
            "com.docker.compose.config-hash": config_hash,
            "com.docker.compose.image": image,
            "com.docker.compose.oneoff": oneoff,
        }
    }


def _service(name: str, image: str) -> Service:
    return Service(name, name, (), ROOT, container=Container(image=image))


def test_outdated_services_are_those_with_another_definition_or_image(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hashes = {"backend": "h-b", "varnish": "h-v2", "zeo": "h-z"}
    monkeypatch.setattr(compose_runtime, "definition_hashes", lambda compose: hashes)
    project = Project(
        "demo",
        ROOT,
        (
            _service("backend", "demo-backend:dev"),
            _service("zeo", "demo-backend:dev"),
            _service("varnish", "varnish:7"),
            _service("postgres", "postgres:16"),
        ),
    )
    engine = FakeEngine(
        [
            _container("backend", "h-b", "sha256:new"),  # as it should be
            _container("zeo", "h-z", "sha256:old"),  # made from the previous image
            _container("varnish", "h-v1", "sha256:v"),  # its definition changed
            _container("varnish", "h-v1", "sha256:v", oneoff="True"),  # `compose run`: not it
        ],
        {"demo-backend:dev": "sha256:new", "varnish:7": "sha256:v"},
    )
    compose = Compose(ROOT / "compose", "demo")
    assert outdated_services(compose, engine, project) == {"zeo", "varnish"}  # type: ignore[arg-type]


def test_varnishadm_of_a_container_runs_through_docker_exec() -> None:
    assert admin._admin_argv(ContainerAdmin("abc123")) == ("docker", "exec", "abc123", "varnishadm")


def test_the_docker_workspace_prepares_as_the_docker_runtimes_up(tmp_path: Path) -> None:
    """It is handed the Docker runtime's own preparation (plonedev.runtimes.docker), and
    says whether it built a new image."""
    write_pyproject(tmp_path, 'name = "shop"\n')
    context = open_project(tmp_path)
    project = build_project(context.config, context.paths, native_programs=False)
    engine = FakeEngine([], {})
    runtime = WatchedDockerRuntime(context.paths, engine)  # type: ignore[arg-type]
    prepared: list[tuple[str, bool]] = []

    def prepare(running: RunningProject, synced: Any, reporter: Any, frontend: bool) -> str:
        assert running.runtime is runtime and running.project is project
        prepared.append((running.resolution.name, frontend))
        engine.images[backend_image(context.config)] = "sha256:new"  # it built one
        return "password"

    workspace = DockerWorkspace(context, project, runtime, prepare)
    assert workspace._prepare(context, project, None, QuietReporter())  # type: ignore[arg-type]
    assert prepared == [("docker", True)] and runtime.recheck
