"""The add-on template renders a Plone 6 add-on; bad names are refused before anything."""

from __future__ import annotations

import py_compile
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from plonedev.addons.scaffold import addon_name, render_addon
from plonedev.errors import PlonedevError


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("render") / "sources" / "acme.todo_list"
    render_addon(addon_name("acme.todo_list"), target)
    return target


def test_the_package_sits_in_a_src_layout_at_its_import_path(rendered: Path) -> None:
    package = rendered / "src" / "acme" / "todo_list"
    assert (package / "__init__.py").is_file()
    assert not (rendered / "src" / "acme" / "__init__.py").exists()  # a native namespace
    assert not (rendered / "src" / "_package_").exists()
    for folder in ("browser", "upgrades", "locales", "tests", "profiles/default"):
        assert (package / folder).is_dir(), folder


def test_pyproject_has_the_autoinclude_entry_point_and_test_extras(rendered: Path) -> None:
    data = tomllib.loads((rendered / "pyproject.toml").read_text())
    assert data["project"]["name"] == "acme.todo_list"
    assert data["project"]["entry-points"]["plone.autoinclude.plugin"] == {"target": "plone"}
    assert "pytest-plone" in data["project"]["optional-dependencies"]["test"]
    assert data["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/acme"]


def test_every_python_file_compiles_and_every_xml_file_parses(rendered: Path) -> None:
    for path in rendered.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)
    xml_files = [*rendered.rglob("*.zcml"), *rendered.rglob("*.xml")]
    assert len(xml_files) >= 6
    for path in xml_files:
        ET.parse(path)  # raises on a template that rendered to broken XML


def test_the_view_the_profiles_and_the_upgrade_step_are_wired(rendered: Path) -> None:
    package = rendered / "src" / "acme" / "todo_list"
    view = ET.parse(package / "browser" / "configure.zcml").getroot()[0]
    assert view.get("name") == "todo-list-hello"
    assert view.get("layer") == "acme.todo_list.interfaces.ITodoListLayer"
    assert "class ITodoListLayer" in (package / "interfaces.py").read_text()
    version = ET.parse(package / "profiles" / "default" / "metadata.xml").find("version")
    step = ET.parse(package / "upgrades" / "configure.zcml").getroot()[0]
    assert version is not None and step.get("destination") == version.text == "1001"
    assert step.get("profile") == "acme.todo_list:default"
    top = (package / "configure.zcml").read_text()
    assert '<include package=".upgrades" />' in top and 'directory="profiles/uninstall"' in top
    conftest = (package / "tests" / "conftest.py").read_text()
    assert "fixtures_factory" in conftest and "acme.todo_list.testing" in conftest


def test_nothing_is_left_beside_the_target(rendered: Path) -> None:
    assert [p.name for p in rendered.parent.iterdir()] == ["acme.todo_list"]


def test_a_single_part_name_makes_a_plain_package(tmp_path: Path) -> None:
    render_addon(addon_name("todo"), tmp_path / "todo")
    assert (tmp_path / "todo" / "src" / "todo" / "configure.zcml").is_file()


@pytest.mark.parametrize("name", ["1foo", "foo-bar", "foo..bar", "collective.class", "", "a b"])
def test_a_name_that_is_not_a_dotted_python_name_is_refused(name: str) -> None:
    with pytest.raises(PlonedevError, match="not a dotted Python name"):
        addon_name(name)
