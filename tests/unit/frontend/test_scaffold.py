from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from plonedev.errors import PlonedevError
from plonedev.frontend.layout import VOLTO_VERSION
from plonedev.frontend.scaffold import (
    addon_folder,
    check_package_name,
    frontend_files,
    write_frontend,
)


def test_a_new_frontend_is_a_pnpm_workspace_with_volto_and_one_addon() -> None:
    files = frontend_files("shop")
    assert set(map(str, files)) == {
        "package.json",
        "pnpm-workspace.yaml",
        "volto.config.js",
        ".gitignore",
        "README.md",
        "packages/volto-shop/package.json",
        "packages/volto-shop/src/index.js",
        "packages/volto-shop/README.md",
    }
    root = json.loads(files[PurePosixPath("package.json")])
    assert root["private"] is True
    assert root["dependencies"] == {"@plone/volto": "workspace:*", "volto-shop": "workspace:*"}
    assert root["plonedev"] == {"volto": VOLTO_VERSION}
    # Volto's own scripts run a Makefile its npm release lacks: razzle runs directly.
    assert "exec razzle start" in root["scripts"]["start"]
    assert "VOLTOCONFIG=$(pwd)/volto.config.js" in root["scripts"]["build"]

    addon = json.loads(files[PurePosixPath("packages/volto-shop/package.json")])
    assert addon["name"] == "volto-shop"
    assert addon["main"] == "src/index.js"
    assert "peerDependencies" not in addon  # pnpm would fetch another Volto for it

    assert "addons: ['volto-shop']" in files[PurePosixPath("volto.config.js")]
    assert "'core/packages/*'" in files[PurePosixPath("pnpm-workspace.yaml")]
    ignored = files[PurePosixPath(".gitignore")].splitlines()
    assert {"core/", "node_modules/", "public/"} <= set(ignored)
    assert "export default applyConfig" in files[PurePosixPath("packages/volto-shop/src/index.js")]


def test_a_scoped_addon_lives_in_a_folder_named_without_its_scope() -> None:
    files = frontend_files("shop", addon="@acme/volto-shop-theme", volto_version="18.1.0")
    assert PurePosixPath("packages/volto-shop-theme/src/index.js") in files
    root = json.loads(files[PurePosixPath("package.json")])
    assert "@acme/volto-shop-theme" in root["dependencies"]
    assert root["plonedev"]["volto"] == "18.1.0"
    assert addon_folder("@acme/x") == "x"


@pytest.mark.parametrize("name", ["Volto-Shop", "volto shop", "../x", "", "@scope/"])
def test_names_npm_would_refuse_are_refused(name: str) -> None:
    with pytest.raises(PlonedevError, match="not an npm package name"):
        check_package_name(name)


def test_writing_refuses_a_folder_that_holds_something(tmp_path: Path) -> None:
    target = tmp_path / "frontend"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(PlonedevError, match="not empty"):
        write_frontend(target, frontend_files("shop"))
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_writing_into_an_empty_folder_creates_every_file(tmp_path: Path) -> None:
    target = tmp_path / "frontend"
    target.mkdir()
    written = write_frontend(target, frontend_files("shop"))
    assert (target / "packages" / "volto-shop" / "src" / "index.js") in written
    assert json.loads((target / "package.json").read_text())["name"] == "shop-frontend"
