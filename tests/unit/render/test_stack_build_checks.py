"""`plonedev build` says what is wrong before it builds anything (no Docker needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.commands.build import build
from plonedev.errors import PlonedevError
from plonedev.report import QuietReporter
from tests.conftest import write_pyproject


def test_push_needs_a_registry(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "")
    with pytest.raises(PlonedevError, match="--push needs --registry"):
        build(tmp_path, QuietReporter(), push=True)


def test_a_bad_tag_is_named(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "")
    with pytest.raises(PlonedevError, match="--tag 'a b' is not an image tag"):
        build(tmp_path, QuietReporter(), tag="a b")


def test_a_frontend_setting_without_a_project_is_told_before_anything_is_built(
    tmp_path: Path,
) -> None:
    write_pyproject(tmp_path, 'frontend = "frontend"\n')
    with pytest.raises(PlonedevError, match=r"frontend: 'frontend' has no package\.json") as raised:
        build(tmp_path, QuietReporter())
    assert not (tmp_path / ".plonedev").exists()  # nothing prepared, nothing checked out
    assert raised.value.hint
