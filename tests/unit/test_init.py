from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.commands.init import init
from plonedev.config import Storage, load_config
from plonedev.errors import PlonedevError


def test_init_scaffolds_a_project_with_a_working_config(tmp_path: Path) -> None:
    root = tmp_path / "My Site"
    result = init(root)
    created = {p.relative_to(root).as_posix() for p in result.created}
    assert created == {
        "pyproject.toml",
        "mx.ini",
        "compose/README.md",
        "sources/.gitkeep",
        ".gitignore",
    }
    config = load_config(root / "pyproject.toml")
    assert config.name == "my-site"
    assert config.storage is Storage.FILESTORAGE
    ignored = (root / ".gitignore").read_text().splitlines()
    assert ".plonedev/" in ignored
    assert "var/" in ignored
    assert "[settings]" in (root / "mx.ini").read_text()


def test_init_adds_the_section_to_an_existing_pyproject_keeping_it(tmp_path: Path) -> None:
    original = '# my project\n[project]\nname = "shop"  # keep me\nversion = "1"\n'
    (tmp_path / "pyproject.toml").write_text(original)
    (tmp_path / ".gitignore").write_text("*.pyc\n")
    result = init(tmp_path)
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(original)
    assert load_config(tmp_path / "pyproject.toml").name == "shop"
    assert (tmp_path / ".gitignore").read_text().startswith("*.pyc\n")
    assert tmp_path / "pyproject.toml" in result.updated


def test_init_refuses_an_existing_plonedev_project_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.plonedev]\n")
    with pytest.raises(PlonedevError, match=r"already has a \[tool.plonedev\] section"):
        init(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]


def test_init_refuses_a_broken_pyproject_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(PlonedevError, match="invalid TOML"):
        init(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]
