"""tool.plonedev.plonedev-version: the plonedev a project asks for, checked by every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev import __version__
from plonedev.config import load_config
from plonedev.errors import ConfigError
from plonedev.version_pin import check_running_version, compatible_range, team_command
from tests.conftest import run_plonedev, write_pyproject


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.1.0", ">=0.1,<0.2"),
        ("0.1.7", ">=0.1,<0.2"),
        ("1.4.2", ">=1.4,<2"),
        ("0.2.0rc1", ">=0.2.0rc1,<0.3"),
    ],
)
def test_the_pin_init_writes_is_the_running_release_series(version: str, expected: str) -> None:
    assert compatible_range(version) == expected


def test_the_team_command_is_quoted_for_the_shell() -> None:
    assert team_command(">=0.1,<0.2", "up") == "uvx --from 'plonedev>=0.1,<0.2' plonedev up"


def test_a_release_inside_the_pin_passes() -> None:
    check_running_version(">=0.1,<0.2", "pyproject.toml", running="0.1.3")
    check_running_version(">=0.2.0rc1,<0.3", "pyproject.toml", running="0.2.0rc1")


def test_a_release_outside_the_pin_says_which_to_run() -> None:
    with pytest.raises(ConfigError) as caught:
        check_running_version(">=0.2,<0.3", "pyproject.toml", running="0.1.0")
    assert caught.value.message == (
        "pyproject.toml: tool.plonedev.plonedev-version: this project needs plonedev "
        ">=0.2,<0.3, but this is plonedev 0.1.0"
    )
    assert "uvx --from 'plonedev>=0.2,<0.3' plonedev up" in caught.value.hint


def test_the_running_plonedev_satisfies_the_pin_init_writes(tmp_path: Path) -> None:
    pin = compatible_range()
    config = load_config(write_pyproject(tmp_path, f'plonedev-version = "{pin}"\n'))
    assert config.plonedev_version == pin


def test_specifiers_that_do_not_parse_are_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"plonedev-version: expected version specifiers"):
        load_config(write_pyproject(tmp_path, 'plonedev-version = "0.1 or newer"\n'))


def test_the_version_is_reported_before_keys_this_plonedev_does_not_know(
    tmp_path: Path,
) -> None:
    # A project made for a newer plonedev may use keys the running one lacks.
    write_pyproject(tmp_path, 'plonedev-version = ">=99"\nkey-from-the-future = true\n')
    with pytest.raises(ConfigError, match=r"needs plonedev >=99, but this is plonedev"):
        load_config(tmp_path / "pyproject.toml")


@pytest.mark.parametrize("command", ["up", "status", "down", "logs", "doctor", "addons"])
def test_every_command_stops_with_one_line(tmp_path: Path, command: str) -> None:
    write_pyproject(tmp_path, 'plonedev-version = ">=99"\nruntime = "native"\n')
    done = run_plonedev(tmp_path, command)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"needs plonedev >=99, but this is plonedev {__version__}" in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pyproject.toml"]
