"""A frontend add-on's files and its two registrations, as text in and text out."""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

import pytest

from plonedev.errors import PlonedevError
from plonedev.frontend.addon import (
    addon_files,
    frontend_addon,
    registered_addons,
    with_addon,
    with_dependency,
    write_addon,
)

PLONEDEV_CONFIG = "module.exports = {\n  addons: ['volto-demo'],\n  theme: '',\n};\n"


def test_its_files_register_a_page_with_its_greeting() -> None:
    addon = frontend_addon("@acme/volto-todo")
    assert (addon.folder, addon.route) == ("volto-todo", "/hello-volto-todo")
    files = addon_files(addon)
    assert set(files) == {
        PurePosixPath(p)
        for p in ("package.json", "README.md", "src/index.js", "src/components/Hello.jsx")
    }
    manifest = json.loads(files[PurePosixPath("package.json")])
    assert manifest["name"] == "@acme/volto-todo" and manifest["main"] == "src/index.js"
    assert "peerDependencies" not in manifest  # pnpm would look for Volto in the registry
    index = files[PurePosixPath("src/index.js")]
    assert "const ROUTE = '/hello-volto-todo';" in index
    assert "config.addonRoutes" in index and "nonContentRoutes" in index
    assert "export default applyConfig;" in index
    hello = files[PurePosixPath("src/components/Hello.jsx")]
    assert "defaultMessage: 'Hello from {name}'" in hello
    assert "{ name: '@acme/volto-todo' }" in hello
    assert addon.greeting == "Hello from @acme/volto-todo"
    assert not any("$" in text for text in files.values())  # every placeholder filled


@pytest.mark.parametrize("name", ["Volto-Todo", "volto todo", "../x", "", ".hidden", "a/b"])
def test_a_name_npm_refuses_is_refused(name: str) -> None:
    with pytest.raises(PlonedevError, match="is not an npm package name"):
        frontend_addon(name)


@pytest.mark.parametrize("name", ["@plone/volto", "plonedev-volto-dev"])
def test_volto_and_plonedevs_own_add_on_are_refused(name: str) -> None:
    with pytest.raises(PlonedevError, match="taken by Volto itself"):
        frontend_addon(name)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (PLONEDEV_CONFIG, "addons: ['volto-demo', 'volto-todo'],"),
        ("module.exports = { addons: [], theme: '' };\n", "addons: ['volto-todo'],"),
        # cookieplone's shape, double quotes kept
        (
            'const addons = ["volto-demo"];\nmodule.exports = { addons };\n',
            '["volto-demo", "volto-todo"]',
        ),
        (
            "module.exports = {\n  addons: [\n    'volto-a',\n    'volto-b:profile',\n  ],\n};\n",
            "  addons: [\n    'volto-a',\n    'volto-b:profile',\n    'volto-todo',\n  ],\n",
        ),
        (
            "module.exports = {\n  addons: [\n    'volto-a'\n  ],\n};\n",
            "  addons: [\n    'volto-a',\n    'volto-todo'\n  ],\n",
        ),
    ],
)
def test_volto_config_gets_the_add_on_last_and_keeps_the_rest(before: str, after: str) -> None:
    text = with_addon(before, "volto-todo")
    assert after in text
    assert registered_addons(text)[-1] == "volto-todo"
    on_its_own_line = "\n    'volto-todo'" in after
    assert text.count("\n") == before.count("\n") + on_its_own_line


def test_an_add_on_listed_already_is_refused() -> None:
    with pytest.raises(PlonedevError, match="lists volto-demo in addons already"):
        with_addon(PLONEDEV_CONFIG, "volto-demo")
    listed = "module.exports = { addons: ['volto-demo:extra'] };\n"
    with pytest.raises(PlonedevError, match="already"):
        with_addon(listed, "volto-demo")


@pytest.mark.parametrize("text", ["module.exports = {};\n", "addons: [];\nlet addons = [];\n"])
def test_a_config_without_one_addons_list_is_refused(text: str) -> None:
    with pytest.raises(PlonedevError, match=r"volto.config.js: .* `addons: \[\.\.\.\]` list"):
        with_addon(text, "volto-todo")


def test_package_json_gets_a_workspace_dependency_in_its_own_indent() -> None:
    before = json.dumps(
        {"name": "demo", "dependencies": {"@plone/volto": "workspace:*"}, "x": 1}, indent=4
    )
    text = with_dependency(before, "volto-todo")
    manifest = json.loads(text)
    assert manifest["dependencies"] == {"@plone/volto": "workspace:*", "volto-todo": "workspace:*"}
    assert list(manifest) == ["name", "dependencies", "x"]
    assert '\n    "name"' in text and text.endswith("}\n")
    assert json.loads(with_dependency('{"name": "x"}', "volto-todo"))["dependencies"] == {
        "volto-todo": "workspace:*"
    }


def test_a_dependency_there_already_or_a_broken_manifest_is_refused() -> None:
    with pytest.raises(PlonedevError, match="has volto-todo in devDependencies already"):
        with_dependency('{"devDependencies": {"volto-todo": "1.0"}}', "volto-todo")
    with pytest.raises(PlonedevError, match=r"package\.json: not valid JSON"):
        with_dependency("{", "volto-todo")


def test_the_folder_appears_whole(tmp_path: Path) -> None:
    addon = frontend_addon("volto-todo")
    target = tmp_path / "packages" / "volto-todo"
    written = write_addon(target, addon_files(addon))
    assert target / "src" / "index.js" in written and len(written) == 4
    assert sorted(p.name for p in (tmp_path / "packages").iterdir()) == ["volto-todo"]
