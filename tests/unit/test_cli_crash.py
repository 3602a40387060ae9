"""A bug in plonedev: one line that says so and where the traceback is, not the traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from plonedev import __version__
from plonedev.cli.app import app
from plonedev.commands import status as status_command


def _explode(*args: object, **kwargs: object) -> None:
    raise ValueError("the unexpected\nsecond line")


@pytest.fixture
def crashing_status(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    logs = tmp_path / "logs"
    monkeypatch.setenv("PLONEDEV_LOG_DIR", str(logs))
    monkeypatch.delenv("PLONEDEV_TRACEBACK", raising=False)
    monkeypatch.setattr(status_command, "status", _explode)
    return logs


def test_a_bug_is_one_line_naming_the_crash_log(crashing_status: Path) -> None:
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 70
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "ValueError: the unexpected" in lines[0]
    assert "Traceback" not in result.output
    (log,) = crashing_status.glob("crash-*.log")
    assert str(log) in lines[0].replace("\n", "")


def test_the_crash_log_holds_the_traceback_and_versions(crashing_status: Path) -> None:
    CliRunner().invoke(app, ["status"])
    (log,) = crashing_status.glob("crash-*.log")
    text = log.read_text()
    assert f"plonedev {__version__}" in text
    assert "python 3." in text
    assert "Traceback (most recent call last)" in text
    assert "in _explode" in text
    assert "ValueError: the unexpected" in text


def test_developers_can_ask_for_the_traceback(
    crashing_status: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLONEDEV_TRACEBACK", "1")
    result = CliRunner().invoke(app, ["status"])
    assert isinstance(result.exception, ValueError)
    assert not crashing_status.exists()


def test_an_unwritable_log_folder_still_gives_the_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("PLONEDEV_LOG_DIR", str(blocker / "logs"))
    monkeypatch.setattr(status_command, "status", _explode)
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 70
    assert "PLONEDEV_TRACEBACK=1" in result.output
