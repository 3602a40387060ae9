"""The config keys add-addon writes, and where `plonedev up` uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.config import load_config
from plonedev.errors import ConfigError
from plonedev.paths import ProjectPaths
from plonedev.project_setup.prepare import instance_settings
from plonedev.requirements import render_requirements_in
from tests.conftest import write_pyproject


def test_addons_and_zcml_includes_are_read(tmp_path: Path) -> None:
    section = (
        'addons = ["collective.foo==1.2", " collective.bar[x] "]\nzcml-includes = ["my_pkg"]\n'
    )
    config = load_config(write_pyproject(tmp_path, section))
    assert config.addons == ("collective.foo==1.2", "collective.bar[x]")
    assert config.zcml_includes == ("my_pkg",)
    settings = instance_settings(ProjectPaths(tmp_path), config)
    assert settings.zcml_includes == ("my_pkg",)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('addons = ["collective.foo @ https://x"]', "tool.plonedev.addons: expected requirements"),
        ('addons = "collective.foo"', "tool.plonedev.addons: expected a list"),
        ('zcml-includes = ["my-pkg"]', "tool.plonedev.zcml-includes: expected package names"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, section: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write_pyproject(tmp_path, section))


def test_addons_are_requirements_for_mxdev() -> None:
    text = render_requirements_in(
        constraints="c.txt",
        plone_version="6.2.2",
        storage="filestorage",
        debug=False,
        user_requirements=Path("requirements.txt"),
        source_names=(),
        addons=("collective.foo==1.2",),
    )
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["-c c.txt", "Plone==6.2.2", "collective.foo==1.2", "-r requirements.txt"]
