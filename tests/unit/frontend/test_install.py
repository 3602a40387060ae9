"""The install is skipped when nothing that decides it changed (no pnpm runs here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from plonedev.errors import PlonedevError
from plonedev.frontend.install import ensure_frontend, install_digest
from plonedev.frontend.layout import FrontendPaths
from plonedev.frontend.scaffold import frontend_files, write_frontend
from plonedev.frontend.volto import ensure_dev_tools, trim_manifest
from tests.unit.frontend.fakes import fake_program, only_on_path


@pytest.fixture
def paths(tmp_path: Path) -> FrontendPaths:
    paths = FrontendPaths(tmp_path / "frontend")
    write_frontend(paths.root, frontend_files("shop"))
    paths.volto.mkdir(parents=True)
    manifest = {"name": "@plone/volto", "version": "18.33.0", "engines": {"node": "^20 || ^22"}}
    paths.volto_package_json.write_text(json.dumps(trim_manifest(manifest), indent=2) + "\n")
    ensure_dev_tools(paths)
    return paths


def test_the_digest_follows_manifests_and_lockfile_not_source(paths: FrontendPaths) -> None:
    first = install_digest(paths, "20.1.0")
    (paths.packages / "volto-shop" / "src" / "index.js").write_text("// edited\n")
    assert install_digest(paths, "20.1.0") == first
    paths.lockfile.write_text("lockfileVersion: '9.0'\n")
    second = install_digest(paths, "20.1.0")
    assert second != first
    addon = paths.packages / "volto-shop" / "package.json"
    addon.write_text(addon.read_text().replace('"1.0.0"', '"1.0.1"'))
    assert install_digest(paths, "20.1.0") != second
    assert install_digest(paths, "22.0.0") != install_digest(paths, "20.1.0")


def test_a_matching_stamp_skips_pnpm(
    paths: FrontendPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_on_path(monkeypatch, tmp_path / "bin")  # no pnpm, no npm: running one would fail
    fake_program(tmp_path / "bin", "node", "20.1.0")
    paths.install_stamp.parent.mkdir(parents=True)
    paths.install_stamp.write_text(json.dumps({"digest": install_digest(paths, "20.1.0")}))
    result = ensure_frontend(paths, tmp_path / ".plonedev")
    assert (result.installed, result.reason, result.volto_version) == (
        False,
        "up to date",
        "18.33.0",
    )


def test_a_changed_manifest_asks_for_pnpm(
    paths: FrontendPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    only_on_path(monkeypatch, tmp_path / "bin")
    fake_program(tmp_path / "bin", "node", "20.1.0")
    paths.install_stamp.parent.mkdir(parents=True)
    paths.install_stamp.write_text(json.dumps({"digest": install_digest(paths, "20.1.0")}))
    paths.package_json.write_text(paths.package_json.read_text().replace("1.0.0", "1.1.0"))
    # pnpm is needed and there is none, nor npm to install it: the user is told.
    with pytest.raises(PlonedevError, match="npm"):
        ensure_frontend(paths, tmp_path / ".plonedev")


def test_a_project_without_package_json_is_named(tmp_path: Path) -> None:
    with pytest.raises(PlonedevError, match=r"package\.json not found"):
        ensure_frontend(FrontendPaths(tmp_path / "nowhere"), tmp_path / ".plonedev")
