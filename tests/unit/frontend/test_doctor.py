from __future__ import annotations

import json
from pathlib import Path

import pytest

from plonedev.frontend.doctor import frontend_checks
from plonedev.frontend.install import install_digest
from plonedev.frontend.layout import FrontendPaths
from plonedev.frontend.scaffold import frontend_files, write_frontend
from plonedev.frontend.volto import ensure_dev_tools, trim_manifest
from tests.unit.frontend.fakes import fake_local_pnpm, fake_program, only_on_path


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FrontendPaths:
    only_on_path(monkeypatch, tmp_path / "bin")
    paths = FrontendPaths(tmp_path / "frontend")
    write_frontend(paths.root, frontend_files("shop"))
    return paths


def _by_name(paths: FrontendPaths, state: Path) -> dict[str, tuple[bool, str, bool]]:
    return {c.name: (c.ok, c.detail, c.required) for c in frontend_checks(paths, state)}


def test_a_machine_without_node_is_told_what_to_install(
    paths: FrontendPaths, tmp_path: Path
) -> None:
    checks = _by_name(paths, tmp_path / ".plonedev")
    ok, detail, required = checks["node"]
    assert (ok, required) == (False, True)
    assert "install Node.js 20 or 22" in detail
    assert checks["npm"][0] is False
    assert checks["npm"][2] is True  # needed to fetch Volto and pnpm
    assert checks["pnpm"][2] is True  # and nothing could install it


def test_a_new_project_needs_only_node_and_npm(paths: FrontendPaths, tmp_path: Path) -> None:
    fake_program(tmp_path / "bin", "node", "20.20.2")
    fake_program(tmp_path / "bin", "npm", "10.9.0")
    checks = _by_name(paths, tmp_path / ".plonedev")
    assert checks["node"][:1] == (True,)
    assert checks["npm"][0] is True
    # Missing, but `up` fetches them: reported, not required.
    assert checks["pnpm"][0::2] == (False, False)
    assert "installs one into .plonedev/node" in checks["pnpm"][1]
    assert checks["volto"][0::2] == (False, False)
    assert "18.33.0 wanted, not unpacked yet" in checks["volto"][1]
    assert "node_modules" not in checks


def test_an_installed_project_reports_its_versions(paths: FrontendPaths, tmp_path: Path) -> None:
    fake_program(tmp_path / "bin", "node", "22.1.0")
    state = tmp_path / ".plonedev"
    fake_local_pnpm(state, "10.34.9")
    paths.volto.mkdir(parents=True)
    manifest = trim_manifest({"version": "18.33.0", "engines": {"node": "^20 || ^22"}})
    paths.volto_package_json.write_text(json.dumps(manifest))
    ensure_dev_tools(paths)
    paths.install_stamp.parent.mkdir(parents=True)
    paths.install_stamp.write_text(json.dumps({"digest": install_digest(paths, "22.1.0")}))
    checks = _by_name(paths, state)
    assert checks["volto"] == (True, "18.33.0 in core/packages/volto", True)
    assert checks["pnpm"][0] is True and "10.34.9" in checks["pnpm"][1]
    assert checks["npm"][0::2] == (False, False)  # nothing left to fetch: not needed
    assert checks["node_modules"][0] is True


def test_an_unsupported_node_fails(paths: FrontendPaths, tmp_path: Path) -> None:
    fake_program(tmp_path / "bin", "node", "18.0.0")
    ok, detail, _ = _by_name(paths, tmp_path / ".plonedev")["node"]
    assert not ok
    assert "Volto needs ^20 || ^22" in detail


def test_a_frontend_setting_without_a_project(tmp_path: Path) -> None:
    checks = frontend_checks(FrontendPaths(tmp_path / "missing"), tmp_path / ".plonedev")
    assert [(c.name, c.ok) for c in checks] == [("frontend", False)]
    assert "plonedev add-frontend" in checks[0].detail
