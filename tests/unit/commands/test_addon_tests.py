"""`plonedev test`: which add-ons, which arguments, which exit code; bad input first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from plonedev.cli.app import app
from plonedev.commands import addon_tests
from plonedev.commands.addon_tests import AddonTestRun, exit_code
from tests.conftest import run_plonedev, write_pyproject


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_pyproject(tmp_path, 'runtime = "native"\n')
    (tmp_path / "mx.ini").write_text(
        "[settings]\ndefault-target = sources\n\n"
        "[acme.todo]\nurl = acme.todo\nvcs = fs\n\n"
        "[acme.gone]\nurl = acme.gone\nvcs = fs\n"
    )
    (tmp_path / "sources" / "acme.todo" / "tests").mkdir(parents=True)
    (tmp_path / "sources" / "acme.todo" / "tests" / "test_setup.py").write_text("")
    return tmp_path


def _one_line(project: Path, *args: str) -> str:
    done = run_plonedev(project, "test", *args)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    return lines[0]


def test_a_test_path_the_addon_lacks_is_one_line(project: Path) -> None:
    line = _one_line(project, "acme.todo", "--", "-q", "tests/test_nope.py::test_x")
    assert "acme.todo has no test path 'tests/test_nope.py'" in line


def test_an_addon_not_in_mx_ini_or_not_checked_out_is_one_line(project: Path) -> None:
    assert "'acme.nope' is not an add-on in mx.ini" in _one_line(project, "acme.nope")
    assert "acme.gone is not checked out" in _one_line(project, "acme.gone")


def test_without_the_backend_installed_it_says_to_run_up(project: Path) -> None:
    assert "plonedev up" in _one_line(project, "acme.todo")


def test_option_values_and_existing_paths_are_not_taken_for_missing_paths(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = addon_tests.chosen_sources(project, ["acme.todo"])[0]
    addon_tests._check_paths(spec, ["-k", "a/b.py", "tests/test_setup.py::test_x", "-x"])


def test_arguments_after_the_double_dash_reach_the_test_runner(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def fake_run_tests(start: Path, addons: Any, args: Any, **options: Any) -> list[AddonTestRun]:
        seen.update(addons=addons, args=args, **options)
        return [AddonTestRun("acme.todo", 1)]

    monkeypatch.setattr(addon_tests, "run_tests", fake_run_tests)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(app, ["test", "acme.todo", "--cov", "--", "-k", "x", "--lf"])
    assert result.exit_code == 1  # the tests' exit code
    assert seen["addons"] == ("acme.todo",)
    assert seen["args"] == ("-k", "x", "--lf")
    assert seen["coverage"] is True


def test_the_exit_code_is_the_first_failing_runs() -> None:
    assert exit_code([AddonTestRun("a", 0), AddonTestRun("b", 0)]) == 0
    assert exit_code([AddonTestRun("a", 0), AddonTestRun("b", 5), AddonTestRun("c", 1)]) == 5
