from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.config import Storage, constraints_source, load_config
from plonedev.errors import ConfigError
from tests.conftest import write_pyproject


def test_defaults_work_without_any_key(tmp_path: Path) -> None:
    config = load_config(write_pyproject(tmp_path, ""))
    assert config.storage is Storage.FILESTORAGE
    assert config.site_id == "Plone"
    assert config.ports.backend == 8080
    assert config.name == "demo"


def test_kebab_case_keys_and_nested_tables(tmp_path: Path) -> None:
    section = 'site-id = "Site"\nstorage = "zeo"\n[tool.plonedev.ports]\nbackend = 9090\n'
    config = load_config(write_pyproject(tmp_path, section))
    assert config.site_id == "Site"
    assert config.storage is Storage.ZEO
    assert config.ports.backend == 9090


def test_config_is_immutable(tmp_path: Path) -> None:
    config = load_config(write_pyproject(tmp_path, ""))
    with pytest.raises(ValueError, match="frozen"):
        config.site_id = "Other"  # type: ignore[misc]


def test_project_name_falls_back_to_folder(tmp_path: Path) -> None:
    folder = tmp_path / "My Project"
    folder.mkdir()
    config = load_config(write_pyproject(folder, "", project=""))
    assert config.name == "my-project"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            'storage = "zoe"',
            "pyproject.toml: tool.plonedev.storage: expected one of filestorage, zeo, "
            "relstorage, got 'zoe'",
        ),
        ('storge = "zeo"', "pyproject.toml: tool.plonedev.storge: unknown key"),
        ("varnish = 3", "pyproject.toml: tool.plonedev.varnish: expected true or false, got 3"),
        (
            '[tool.plonedev.ports]\nbackend = "x"',
            "pyproject.toml: tool.plonedev.ports.backend: expected a whole number, got 'x'",
        ),
        (
            "[tool.plonedev.ports]\nbackend = 70000",
            "pyproject.toml: tool.plonedev.ports.backend: expected a port between 1 and 65535",
        ),
        ('site-id = "my site"', "pyproject.toml: tool.plonedev.site-id: expected a Zope id"),
        (
            'runtime = "podman"',
            "pyproject.toml: tool.plonedev.runtime: expected one of auto, native, docker",
        ),
        ("ports = 1", "pyproject.toml: tool.plonedev.ports: expected a table, got 1"),
        ("cache-hold = -1", "pyproject.toml: tool.plonedev.cache-hold: "),
        ("cache-hold = 100000", "pyproject.toml: tool.plonedev.cache-hold: "),
    ],
)
def test_bad_values_name_file_key_and_expectation(
    tmp_path: Path, section: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_pyproject(tmp_path, section))
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_malformed_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.plonedev\nstorage = 1")
    with pytest.raises(ConfigError, match=r"^pyproject.toml: invalid TOML: .*line 1"):
        load_config(tmp_path / "pyproject.toml")


def test_missing_section_says_how_to_add_it(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "pyproject.toml")
    assert "no [tool.plonedev] section" in caught.value.message
    assert "plonedev init" in caught.value.hint


def test_constraints_default_to_the_bundled_verified_set(tmp_path: Path) -> None:
    config = load_config(write_pyproject(tmp_path, 'plone-version = "6.2.2"'))
    source = constraints_source(config, tmp_path)
    assert source.endswith("plone-6.2.2.txt")
    assert "Products.CMFPlone==6.2.2" in Path(source).read_text()


def test_constraints_of_an_unbundled_release_come_from_its_url(tmp_path: Path) -> None:
    config = load_config(write_pyproject(tmp_path, 'plone-version = "6.0.0"'))
    assert constraints_source(config, tmp_path).endswith("/release/6.0.0/constraints.txt")


def test_constraints_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"tool\.plonedev\.constraints: file 'nope\.txt' not found"
    ):
        load_config(write_pyproject(tmp_path, 'constraints = "nope.txt"'))
