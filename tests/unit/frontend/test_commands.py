"""`plonedev init --frontend` and `plonedev add-frontend`, on files only."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from plonedev.commands.frontend import add_frontend, set_frontend_key
from plonedev.commands.init import init
from plonedev.config import load_config
from plonedev.errors import PlonedevError


def test_init_with_frontend_scaffolds_volto_and_points_the_config_at_it(tmp_path: Path) -> None:
    result = init(tmp_path / "shop", frontend=True)
    root = result.root
    assert load_config(root / "pyproject.toml").frontend == "frontend"
    assert root / "frontend" / "package.json" in result.created
    manifest = json.loads((root / "frontend" / "package.json").read_text())
    assert "volto-shop" in manifest["dependencies"]
    assert (root / "frontend" / "packages" / "volto-shop" / "src" / "index.js").is_file()


def test_init_without_frontend_has_no_frontend(tmp_path: Path) -> None:
    result = init(tmp_path / "shop")
    assert load_config(result.root / "pyproject.toml").frontend == ""
    assert not (result.root / "frontend").exists()


def test_add_frontend_to_an_existing_project(tmp_path: Path) -> None:
    root = init(tmp_path / "shop").root
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "# my own comment\n")
    result = add_frontend(root / "sources", directory="web", addon="@acme/volto-shop")
    assert result.frontend == root / "web"
    assert result.addon == "@acme/volto-shop"
    assert (root / "web" / "packages" / "volto-shop" / "package.json").is_file()
    assert load_config(pyproject).frontend == "web"
    assert "# my own comment" in pyproject.read_text()  # the file is edited, not rewritten

    with pytest.raises(PlonedevError, match="already has a frontend"):
        add_frontend(root)


def test_add_frontend_refuses_a_classic_site(tmp_path: Path) -> None:
    root = init(tmp_path / "shop").root
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"volto"', '"classic"'))
    with pytest.raises(PlonedevError, match="volto distribution"):
        add_frontend(root)
    assert not (root / "frontend").exists()


@pytest.mark.parametrize("directory", ["../elsewhere", "/tmp/x", "."])
def test_add_frontend_stays_inside_the_project(tmp_path: Path, directory: str) -> None:
    root = init(tmp_path / "shop").root
    with pytest.raises(PlonedevError, match="inside the project"):
        add_frontend(root, directory=directory)


def test_add_frontend_keeps_an_existing_folder(tmp_path: Path) -> None:
    root = init(tmp_path / "shop").root
    (root / "frontend").mkdir()
    (root / "frontend" / "mine.txt").write_text("x")
    with pytest.raises(PlonedevError, match="not empty"):
        add_frontend(root)
    assert "frontend =" not in (root / "pyproject.toml").read_text()


def test_the_key_is_set_in_place() -> None:
    text = '[project]\nname = "x"\n\n[tool.plonedev]\n# keep me\nsite-id = "Plone"\n'
    updated = set_frontend_key(text, "frontend")
    assert tomllib.loads(updated)["tool"]["plonedev"]["frontend"] == "frontend"
    assert "# keep me" in updated
