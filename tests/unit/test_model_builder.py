"""The model plonedev builds from a project's config."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.config import load_config
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from tests.conftest import write_pyproject


@pytest.mark.parametrize("storage", ["zeo", "relstorage"])
def test_each_service_is_named_after_its_role(tmp_path: Path, storage: str) -> None:
    # The watch rules and the add-on commands name services by their roles.
    (tmp_path / "frontend").mkdir()
    (tmp_path / "frontend" / "package.json").write_text("{}")
    section = f'storage = "{storage}"\nvarnish = true\nfrontend = "frontend"\n'
    config = load_config(write_pyproject(tmp_path, section))
    project = build_project(config, ProjectPaths(tmp_path), native_programs=False)
    assert len(project.services) == 4
    for service in project.services:
        assert service.role is not None
        assert service.name == service.role.value
