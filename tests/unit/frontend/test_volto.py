from __future__ import annotations

import json
from pathlib import Path

import pytest

from plonedev.frontend.layout import DEV_TOOLS_PACKAGE, VOLTO_VERSION, FrontendPaths
from plonedev.frontend.volto import (
    ensure_dev_tools,
    ensure_volto,
    installed_version,
    is_dropped,
    node_engines,
    trim_manifest,
    wanted_version,
)

VOLTO_DEV = {
    "razzle": "4.2.18",
    "webpack": "5.105.4",
    "typescript": "5.9.3",  # razzle requires it whenever a tsconfig.json exists
    "babel-loader": "9.1.0",
    "@fiverr/afterbuild-webpack-plugin": "^1.0.0",
    "jest": "26.6.3",
    "@testing-library/react": "12.1.5",
    "eslint-plugin-react": "7.37.2",
    "@storybook/react": "8.4.7",
    "cypress": "13.17.0",
    "@types/react": "18.3.12",
    "@plone/types": "1.6.1",
    "@plone/volto-coresandbox": "1.0.0",
}


def test_trimming_drops_test_and_lint_tooling_and_keeps_the_build() -> None:
    manifest = {"name": "@plone/volto", "version": "18.33.0", "devDependencies": VOLTO_DEV}
    trimmed = trim_manifest(manifest)
    assert set(trimmed["devDependencies"]) == {
        "razzle",
        "webpack",
        "typescript",
        "babel-loader",
        "@fiverr/afterbuild-webpack-plugin",
        DEV_TOOLS_PACKAGE,
    }
    assert trimmed["devDependencies"][DEV_TOOLS_PACKAGE] == "workspace:*"
    assert trimmed["name"] == "@plone/volto"
    assert manifest["devDependencies"] == VOLTO_DEV  # the input is left as it was
    assert trim_manifest(trimmed) == trimmed


def test_unpublished_packages_are_dropped() -> None:
    assert is_dropped("@plone/types")
    assert is_dropped("@plone/volto-coresandbox")
    assert not is_dropped("@plone/registry")


def _frontend(tmp_path: Path, package: dict[str, object] | None = None) -> FrontendPaths:
    paths = FrontendPaths(tmp_path / "frontend")
    paths.root.mkdir()
    paths.package_json.write_text(json.dumps(package or {"name": "x"}))
    return paths


def test_the_wanted_version_comes_from_package_json(tmp_path: Path) -> None:
    assert wanted_version(_frontend(tmp_path)) == VOLTO_VERSION
    other = tmp_path / "other"
    other.mkdir()
    assert wanted_version(_frontend(other, {"plonedev": {"volto": "18.1.0"}})) == "18.1.0"


def test_a_volto_of_the_wanted_version_is_kept_without_asking_npm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _frontend(tmp_path, {"plonedev": {"volto": "18.33.0"}})
    paths.volto.mkdir(parents=True)
    manifest = {
        "version": "18.33.0",
        "engines": {"node": "^20 || ^22"},
        "devDependencies": {"jest": "1", "razzle": "4"},
    }
    paths.volto_package_json.write_text(json.dumps(manifest))
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))  # npm cannot be found
    assert ensure_volto(paths) is False
    # A copy trimmed by an older plonedev gets the current trim.
    now = json.loads(paths.volto_package_json.read_text())
    assert now["devDependencies"] == {"razzle": "4", DEV_TOOLS_PACKAGE: "workspace:*"}
    assert installed_version(paths) == "18.33.0"
    assert node_engines(paths) == "^20 || ^22"


def test_the_dev_tools_addon_is_written_once(tmp_path: Path) -> None:
    paths = _frontend(tmp_path)
    assert ensure_dev_tools(paths) is True
    assert json.loads((paths.dev_tools / "package.json").read_text())["name"] == DEV_TOOLS_PACKAGE
    extend = (paths.dev_tools / "razzle.extend.js").read_text()
    assert "hot-update.json" in extend
    assert ensure_dev_tools(paths) is False
