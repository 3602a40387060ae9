"""create-addon's bad input: one line, exit != 0, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.commands import create_addon as create_module
from plonedev.errors import PlonedevError
from tests.conftest import run_plonedev, write_pyproject


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_pyproject(tmp_path, "")
    (tmp_path / "mx.ini").write_text("[settings]\ndefault-target = sources\n")
    (tmp_path / "sources").mkdir()
    return tmp_path


@pytest.mark.parametrize("name", ["1foo", "foo-bar"])
def test_a_bad_name_is_one_line_and_writes_nothing(project: Path, name: str) -> None:
    before = _tree(project)
    done = run_plonedev(project, "create-addon", name)
    assert done.returncode != 0
    assert "not a dotted Python name" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert _tree(project) == before


def test_an_existing_folder_is_refused(project: Path) -> None:
    (project / "sources" / "acme.todo").mkdir()
    before = _tree(project)
    done = run_plonedev(project, "create-addon", "acme.todo")
    assert done.returncode != 0
    assert "sources/acme.todo exists already" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _tree(project) == before


def test_outside_a_project_it_says_so(tmp_path: Path) -> None:
    done = run_plonedev(tmp_path, "create-addon", "acme.todo")
    assert done.returncode != 0
    assert "no pyproject.toml with [tool.plonedev]" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_failed_add_removes_the_new_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def failing_add(start: Path, name: str, *args: object, **kwargs: object) -> None:
        path = kwargs["path"]
        assert isinstance(path, Path)
        seen.append((path / "pyproject.toml").is_file())
        assert kwargs["extras"] == "test"
        raise PlonedevError("the backend does not start with acme.todo: boom")

    monkeypatch.setattr(create_module, "add_addon", failing_add)
    before = _tree(project)
    with pytest.raises(PlonedevError, match="boom"):
        create_module.create_addon(project, "acme.todo", _Quiet())
    assert seen == [True]  # add-addon got the rendered folder
    assert _tree(project) == before


class _Quiet:
    def info(self, text: str) -> None:
        pass

    def warn(self, text: str) -> None:
        pass

    def event(self, text: str) -> None:
        pass
