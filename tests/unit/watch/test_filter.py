"""What the watcher ignores, and which paths a watch spec accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.watch.filter import WatchSpec, is_ignored

ROOT = Path("/p")
PKG = ROOT / "sources" / "demo" / "src" / "demo"


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "sources" / "demo" / ".git" / "index",
        ROOT / "sources" / "demo" / ".git" / "objects" / "ab" / "cdef",
        PKG / "__pycache__" / "greeting.cpython-311.pyc",
        PKG / "greeting.pyc",
        ROOT / "frontend" / "node_modules" / "react" / "index.js",
        ROOT / "sources" / "demo" / "src" / "demo.egg-info" / "PKG-INFO",
        ROOT / "sources" / "demo" / "src" / "demo.egg-info",
        ROOT / "sources" / "demo" / "build" / "lib" / "demo" / "greeting.py",
        ROOT / "sources" / "demo" / "dist" / "demo-1.0.tar.gz",
        ROOT / "sources" / "demo" / ".ruff_cache" / "0.5" / "123",
        ROOT / "sources" / "demo" / ".pytest_cache" / "v" / "x",
        ROOT / "sources" / "demo" / ".tox" / "py311" / "x.py",
        ROOT / ".plonedev" / "logs" / "backend.log",
        ROOT / ".plonedev" / "venv" / "lib" / "x.py",
        ROOT / "var" / "filestorage" / "Data.fs",
        PKG / ".greeting.py.swp",
        PKG / ".greeting.py.swx",
        PKG / "greeting.py~",
        PKG / ".#greeting.py",
        PKG / "#greeting.py#",
        PKG / "4913",
        PKG / "greeting.py.tmp",
        PKG / "greeting.py___jb_tmp___",
        PKG / ".goutputstream-ABC123",
        PKG / ".DS_Store",
    ],
)
def test_ignored(path: Path) -> None:
    assert is_ignored(path, ROOT)


@pytest.mark.parametrize(
    "path",
    [
        PKG / "greeting.py",
        PKG / "configure.zcml",
        PKG / "var.py",
        PKG / "variables.py",
        PKG / "var" / "x.py",  # only the project's own var/ holds data
        PKG / "builder.py",
        PKG / "profiles" / "default" / "metadata.xml",
        ROOT / "mx.ini",
        ROOT / "pyproject.toml",
        ROOT / "sources" / "demo" / "setup.py",
    ],
)
def test_not_ignored(path: Path) -> None:
    assert not is_ignored(path, ROOT)


SPEC = WatchSpec(
    root=ROOT,
    trees=(ROOT / "sources", ROOT / "compose"),
    files=frozenset({ROOT / "mx.ini", ROOT / "pyproject.toml", ROOT / "constraints" / "c.txt"}),
)


def test_a_spec_accepts_its_trees_and_its_files_only() -> None:
    assert SPEC.accepts(PKG / "greeting.py")
    assert SPEC.accepts(ROOT / "compose" / "compose.yaml")
    assert SPEC.accepts(ROOT / "mx.ini")
    assert SPEC.accepts(ROOT / "constraints" / "c.txt")
    assert not SPEC.accepts(PKG / "__pycache__" / "greeting.cpython-311.pyc")
    assert not SPEC.accepts(ROOT / "README.md")  # in a watched folder, but not asked for
    assert not SPEC.accepts(ROOT / "constraints" / "other.txt")
    assert not SPEC.accepts(ROOT / ".plonedev" / "requirements-in.txt")
    assert not SPEC.accepts(Path("/elsewhere/x.py"))


def test_a_spec_watches_the_folders_of_its_files_on_their_own() -> None:
    assert SPEC.folders == (ROOT, ROOT / "constraints")


def test_a_spec_describes_what_exists_relative_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "constraints").mkdir()
    for name in ("mx.ini", "pyproject.toml", "constraints/c.txt"):
        (tmp_path / name).write_text("")
    spec = WatchSpec(
        tmp_path,
        (tmp_path / "sources", tmp_path / "compose"),
        frozenset(
            tmp_path / name
            for name in ("mx.ini", "pyproject.toml", "constraints/c.txt", "requirements.txt")
        ),
    )
    assert spec.describe() == "sources/, constraints/c.txt, mx.ini, pyproject.toml"
