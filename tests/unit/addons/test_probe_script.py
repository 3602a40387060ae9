"""The probe runs in the backend's Python and reads installed metadata: here it reads
distributions laid out in a temporary folder, as an installer would leave them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from plonedev.addons.environment import PROBE_SCRIPT, dist_info


def _dist(
    site: Path,
    name: str,
    files: list[str],
    entry_points: str = "",
    extra: dict[str, str] | None = None,
) -> None:
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files))
    if entry_points:
        (info / "entry_points.txt").write_text(entry_points)
    for file, text in (extra or {}).items():
        (info / file).write_text(text)
    for file in files:
        path = site / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()


def _probe(tmp_path: Path, *names: str, path: list[Path]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(PROBE_SCRIPT), *names],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(map(str, path))},
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_import_names_come_from_the_installed_distributions(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _dist(
        site,
        "collective.foo",
        [
            "collective/foo/__init__.py",
            "collective/foo/configure.zcml",
            "collective/foo/sub/configure.zcml",
        ],
        "[z3c.autoinclude.plugin]\ntarget = plone\n",
    )
    _dist(site, "No-Auto", ["noauto_pkg/__init__.py", "noauto_pkg/configure.zcml"])
    _dist(
        site,
        "own-module",
        ["own/__init__.py", "own/configure.zcml"],
        "[plone.autoinclude.plugin]\nmodule = own\n",
    )
    source = tmp_path / "src" / "edit-me"
    (source / "src" / "edit_me").mkdir(parents=True)
    (source / "src" / "edit_me" / "__init__.py").touch()
    (source / "src" / "edit_me" / "configure.zcml").touch()
    (source / "src" / "edit_me" / "tests").mkdir()
    (source / "src" / "edit_me" / "tests" / "configure.zcml").touch()
    direct = json.dumps({"url": source.as_uri(), "dir_info": {"editable": True}})
    _dist(site, "edit-me", [], extra={"direct_url.json": direct})

    found = _probe(
        tmp_path,
        "collective.foo",
        "no_auto",
        "own-module",
        "edit-me",
        "missing",
        path=[site, source / "src"],
    )
    foo = dist_info("collective.foo", found["collective.foo"])
    assert (foo.import_name, foo.autoinclude, foo.needs_zcml_include) == (
        "collective.foo",
        True,
        False,
    )
    assert found["collective.foo"]["zcml_modules"] == ["collective.foo"]
    plain = dist_info("no_auto", found["no_auto"])
    assert (plain.dist_name, plain.import_name, plain.needs_zcml_include) == (
        "No-Auto",
        "noauto_pkg",
        True,
    )
    assert found["own-module"]["import_name"] == "own"
    edit = dist_info("edit-me", found["edit-me"])
    assert (edit.editable, edit.source, edit.import_name) == (True, source, "edit_me")
    assert edit.needs_zcml_include
    assert found["missing"] == {"installed": False}


def test_products_namespace_needs_no_include(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _dist(site, "Products.Foo", ["Products/Foo/__init__.py", "Products/Foo/configure.zcml"])
    info = dist_info("Products.Foo", _probe(tmp_path, "Products.Foo", path=[site])["Products.Foo"])
    assert info.import_name == "Products.Foo"
    assert not info.needs_zcml_include
