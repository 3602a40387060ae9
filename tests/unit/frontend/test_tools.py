from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.errors import PlonedevError
from plonedev.frontend.tools import (
    Program,
    find_pnpm,
    major_of,
    pnpm_argv,
    require_node,
    supported_majors,
)
from tests.unit.frontend.fakes import fake_local_pnpm, fake_program, only_on_path


@pytest.mark.parametrize(
    ("engines", "majors"),
    [
        ("^20 || ^22", {20, 22}),
        (">=18", {18}),
        ("^20.11.0", {20}),
        ("20.x || 22.x", {20, 22}),
        ("node 20 or newer", set()),  # not understood: no check rather than a wrong one
    ],
)
def test_engines_ranges_name_their_majors(engines: str, majors: set[int]) -> None:
    assert supported_majors(engines) == majors


def test_versions_with_or_without_v_have_a_major() -> None:
    assert major_of("v20.20.2") == 20
    assert major_of("10.34.9") == 10
    assert major_of("") == 0


def test_node_of_a_supported_major_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_on_path(monkeypatch, tmp_path / "bin")
    fake_program(tmp_path / "bin", "node", "22.3.0")
    node = require_node("^20 || ^22")
    assert (node.version, node.major) == ("22.3.0", 22)


def test_a_missing_or_old_node_is_a_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_on_path(monkeypatch, tmp_path / "bin")
    with pytest.raises(PlonedevError, match="`node` was not found") as missing:
        require_node()
    assert "install Node.js" in missing.value.hint
    fake_program(tmp_path / "bin", "node", "18.19.0")
    with pytest.raises(PlonedevError, match=r"needs Node.js \^20 \|\| \^22, but .* is 18.19.0"):
        require_node()


def test_the_projects_own_pnpm_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    only_on_path(monkeypatch, tmp_path / "bin")
    fake_program(tmp_path / "bin", "pnpm", "10.1.0")
    state = tmp_path / ".plonedev"
    assert find_pnpm(state) == Program(str(tmp_path / "bin" / "pnpm"), "10.1.0")
    script = fake_local_pnpm(state, "10.34.9")
    local = find_pnpm(state)
    assert local == Program(str(script), "10.34.9")
    node = Program("/usr/bin/node", "20.0.0")
    assert pnpm_argv(local, node) == ["/usr/bin/node", str(script)]


def test_a_pnpm_of_another_major_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_on_path(monkeypatch, tmp_path / "bin")
    fake_program(tmp_path / "bin", "pnpm", "9.15.0")
    assert find_pnpm(tmp_path / ".plonedev") is None
