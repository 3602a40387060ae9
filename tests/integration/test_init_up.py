"""A new project from `plonedev init` runs as it is: `up` serves a site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomlkit

from plonedev.runtime.ports import free_port
from tests.integration.plone_project import PlonedevProject

pytestmark = pytest.mark.slow


def test_init_then_up_serves_a_site(tmp_path: Path) -> None:
    project = PlonedevProject(tmp_path / "newsite", {"backend": free_port()})
    project.root.mkdir()
    project.run("init")
    pyproject = project.root / "pyproject.toml"
    document = tomlkit.parse(pyproject.read_text())
    # Only what a test must change: its own port, and no Docker engine even if CI has one.
    document["tool"]["plonedev"]["runtime"] = "native"  # type: ignore[index]
    document["tool"]["plonedev"]["ports"] = {"backend": project.ports["backend"]}  # type: ignore[index]
    pyproject.write_text(tomlkit.dumps(document))
    try:
        up = project.run("up")
        assert "site created" in up.stdout
        status, body = project.request("GET", f"{project.backend}/Plone/++api++")
        assert status == 200
        assert json.loads(body)["@type"] == "Plone Site"
    finally:
        project.run("down", check=False)
