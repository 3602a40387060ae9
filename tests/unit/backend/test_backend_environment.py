"""The backend venv: created with uv, skipped when its inputs did not change.

These use the real uv and the running Python, with requirements that need no network
(the Plone install itself is in tests/integration/backend).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from plonedev.backend.environment import (
    STAMP_NAME,
    InstallResult,
    ensure_environment,
    environment_inputs,
    venv_python,
    venv_script,
)
from plonedev.errors import PlonedevError

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("# nothing to install\n-r extra.txt\n")
    (tmp_path / "extra.txt").write_text("# none either\n")
    (tmp_path / "constraints.txt").write_text("# no pins\n")
    return tmp_path


def ensure(
    project: Path,
    *,
    inputs: Sequence[Path] = (),
    on_line: Callable[[str], None] | None = None,
    force: bool = False,
) -> InstallResult:
    return ensure_environment(
        project / "venv",
        python=PYTHON,
        requirements=project / "requirements.txt",
        constraints=project / "constraints.txt",
        inputs=inputs,
        on_line=on_line,
        force=force,
    )


def test_venv_paths(tmp_path: Path) -> None:
    assert venv_python(tmp_path) == tmp_path / "bin" / "python"
    assert venv_script(tmp_path, "runwsgi") == tmp_path / "bin" / "runwsgi"


def test_creates_the_venv_then_skips_until_an_input_changes(project: Path) -> None:
    lines: list[str] = []
    first = ensure(project, on_line=lines.append)
    assert first.installed and first.reason == "new environment"
    assert venv_python(project / "venv").exists()
    assert any("Creating virtual environment" in line for line in lines)

    second = ensure(project)
    assert not second.installed and second.reason == "up to date"
    assert second.seconds < 1

    # a file referenced with -r counts as much as the top one
    (project / "extra.txt").write_text("# changed\n")
    third = ensure(project)
    assert third.installed and third.reason == "requirements changed"
    assert not ensure(project).installed

    (project / "constraints.txt").write_text("# another pin set\n")
    assert ensure(project).installed

    forced = ensure(project, force=True)
    assert forced.installed and forced.reason == "forced"


def test_extra_inputs_count(project: Path) -> None:
    source = project / "sources" / "my.addon" / "pyproject.toml"
    source.parent.mkdir(parents=True)
    source.write_text("[project]\nname = 'my.addon'\n")
    assert ensure(project, inputs=[source]).installed
    assert not ensure(project, inputs=[source]).installed
    source.write_text("[project]\nname = 'my.addon'\ndependencies = ['x']\n")
    assert ensure(project, inputs=[source]).installed


def test_failed_install_raises_with_uv_output_and_keeps_the_venv(project: Path) -> None:
    assert ensure(project).installed
    (project / "requirements.txt").write_text("-e ./sources/not-checked-out\n")
    with pytest.raises(PlonedevError) as caught:
        ensure(project)
    assert "sources/not-checked-out" in caught.value.details  # uv's own words, shown above
    assert caught.value.message.startswith("uv installing the backend failed (exit ")
    assert "mx.ini" in caught.value.hint
    assert venv_python(project / "venv").exists()
    # not recorded as done: the next run tries again (and fails again)
    with pytest.raises(PlonedevError):
        ensure(project)


def test_a_missing_python_is_named_in_the_hint(project: Path) -> None:
    with pytest.raises(PlonedevError) as caught:
        ensure_environment(
            project / "venv",
            python=str(project / "no-such-python"),
            requirements=project / "requirements.txt",
            constraints=project / "constraints.txt",
        )
    assert "creating the backend venv" in caught.value.message
    assert "Python" in caught.value.hint


def test_another_python_recreates_the_venv(project: Path) -> None:
    assert ensure(project).installed
    stamp = project / "venv" / STAMP_NAME
    stamp.write_text(json.dumps({"python": "2.7", "digest": "x"}))
    result = ensure(project)
    assert result.installed and result.reason.startswith("Python changed")
    assert json.loads(stamp.read_text())["python"] == PYTHON


def test_inputs_follow_local_references(tmp_path: Path) -> None:
    (tmp_path / "req").mkdir()
    addon = tmp_path / "sources" / "collective.x"
    addon.mkdir(parents=True)
    (addon / "setup.py").write_text("")
    (addon / "setup.cfg").write_text("")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "Plone\n"
        "-r req/base.txt  # a comment\n"
        "-c https://example.invalid/constraints.txt\n"
        "-e ./sources/collective.x\n"
        "--requirement=req/missing.txt\n"
    )
    # like uv: -r/-c relative to the file naming them, -e relative to the project
    nested = tmp_path / "sources" / "collective.y"
    nested.mkdir()
    (nested / "pyproject.toml").write_text("")
    (tmp_path / "req" / "base.txt").write_text(
        "--constraint pins.txt\n-r ../requirements.txt\n-e ./sources/collective.y\n"
    )
    (tmp_path / "req" / "pins.txt").write_text("Plone==6.2.2\n")
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("")
    assert environment_inputs(requirements, constraints) == [
        requirements,
        tmp_path / "req" / "base.txt",
        tmp_path / "req" / "pins.txt",
        nested / "pyproject.toml",
        addon / "setup.py",
        addon / "setup.cfg",
        tmp_path / "req" / "missing.txt",
        constraints,
    ]


def test_project_paths_resolve_from_the_working_directory(tmp_path: Path) -> None:
    # mxdev writes its output into .plonedev/ with paths relative to the project root
    (tmp_path / ".plonedev").mkdir()
    requirements = tmp_path / ".plonedev" / "requirements-mxdev.txt"
    requirements.write_text("-e ./sources/my.addon\n")
    constraints = tmp_path / ".plonedev" / "constraints-mxdev.txt"
    constraints.write_text("")
    build = tmp_path / "sources" / "my.addon" / "pyproject.toml"
    build.parent.mkdir(parents=True)
    build.write_text("")
    assert build in environment_inputs(requirements, constraints, cwd=tmp_path)
    assert build not in environment_inputs(requirements, constraints)
