"""This repository's own project: the whole setup (backend, Volto frontend, Varnish),
made the way `plonedev init` and `plonedev add-frontend` make one, so it shows them."""

from __future__ import annotations

from pathlib import PurePosixPath

from plonedev.commands.init import COMPOSE_OVERRIDE_EXAMPLE, COMPOSE_README
from plonedev.config import load_config
from plonedev.frontend import frontend_files
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from tests.conftest import REPO

ADDON = "volto-plonedev-demo"
# The add-on's own code: what a team writes after add-frontend.
EDITED = {
    PurePosixPath(f"packages/{ADDON}/src/index.js"),
    PurePosixPath(f"packages/{ADDON}/README.md"),
}


def test_up_here_runs_backend_frontend_and_varnish() -> None:
    config = load_config(REPO / "pyproject.toml")
    project = build_project(config, ProjectPaths(REPO), native_programs=False)
    assert [service.name for service in project.services] == ["backend", "frontend", "varnish"]
    assert config.profiles == ("plonedev_demo:default",)


def test_the_frontend_is_what_add_frontend_makes_plus_the_demo_addon() -> None:
    config = load_config(REPO / "pyproject.toml")
    frontend = REPO / config.frontend
    for relative, content in frontend_files(config.name, addon=ADDON).items():
        path = frontend / relative
        assert path.is_file(), f"{path} missing"
        if relative not in EDITED:
            assert path.read_text() == content, f"{path} differs from what add-frontend writes"
    marker = frontend / "packages" / ADDON / "src" / "components" / "DemoMarker.jsx"
    assert "plonedev demo" in marker.read_text()


def test_compose_holds_what_init_writes() -> None:
    assert (REPO / "compose" / "README.md").read_text() == COMPOSE_README
    example = REPO / "compose" / "compose.override.example.yaml"
    assert example.read_text() == COMPOSE_OVERRIDE_EXAMPLE
