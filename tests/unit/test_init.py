from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from plonedev.commands.init import README_HEADING, init
from plonedev.config import PlonedevConfig, Storage, load_config
from plonedev.errors import PlonedevError
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from plonedev.version_pin import compatible_range, team_command


def test_init_scaffolds_a_project_with_a_working_config(tmp_path: Path) -> None:
    root = tmp_path / "My Site"
    result = init(root)
    created = {p.relative_to(root).as_posix() for p in result.created}
    assert created == {
        "pyproject.toml",
        "mx.ini",
        "compose/README.md",
        "compose/compose.override.example.yaml",
        "sources/.gitkeep",
        ".gitignore",
        "README.md",
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


def test_init_pins_the_running_plonedev_and_says_in_the_readme_how_to_run_it(
    tmp_path: Path,
) -> None:
    init(tmp_path / "shop")
    config = load_config(tmp_path / "shop" / "pyproject.toml")
    assert config.plonedev_version == compatible_range()
    readme = (tmp_path / "shop" / "README.md").read_text()
    assert readme.startswith("# shop\n")
    assert README_HEADING in readme
    command = team_command(config.plonedev_version, "up")
    assert f"```bash\n{command}\n```" in readme


def test_init_appends_to_an_existing_readme_once(tmp_path: Path) -> None:
    original = "# Shop\n\nOur shop's site."  # no newline at the end
    (tmp_path / "README.md").write_text(original)
    result = init(tmp_path)
    readme = (tmp_path / "README.md").read_text()
    assert readme.startswith(original + "\n\n" + README_HEADING + "\n")
    assert tmp_path / "README.md" in result.updated
    # Run again in a copy that lost its [tool.plonedev]: the section is not added twice.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "shop"\n')
    again = init(tmp_path)
    assert (tmp_path / "README.md").read_text() == readme
    assert tmp_path / "README.md" not in again.created + again.updated


def test_the_override_example_changes_services_plonedev_runs(tmp_path: Path) -> None:
    init(tmp_path)
    example = yaml.safe_load((tmp_path / "compose" / "compose.override.example.yaml").read_text())
    config = PlonedevConfig.model_validate({"name": "shop"})
    project = build_project(config, ProjectPaths(tmp_path), native_programs=False)
    assert set(example["services"]) <= {service.name for service in project.services}
    # Not merged as it is: only compose.override.yaml is.
    assert not (tmp_path / "compose" / "compose.override.yaml").exists()
