"""The file watcher on a real folder: what it reports, what it filters, how it stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from plonedev.watch.changes import FileChange
from plonedev.watch.filter import WatchSpec
from plonedev.watch.source import FileWatcher


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path.resolve()
    (root / "sources" / "demo" / "src" / "demo").mkdir(parents=True)
    (root / "sources" / "demo" / "src" / "demo" / "greeting.py").write_text("A = 1\n")
    (root / ".plonedev" / "logs").mkdir(parents=True)
    (root / "mx.ini").write_text("[settings]\n")
    (root / "pyproject.toml").write_text("[tool.plonedev]\n")
    return root


@pytest.fixture
def watcher(root: Path) -> Iterator[FileWatcher]:
    spec = WatchSpec(
        root, (root / "sources",), frozenset({root / "mx.ini", root / "pyproject.toml"})
    )
    watcher = FileWatcher(spec)
    yield watcher
    watcher.close()


def _collect(watcher: FileWatcher, seconds: float = 0.6) -> set[Path]:
    """Everything reported within `seconds` (the engine groups events for 50 ms)."""
    seen: set[Path] = set()
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        seen.update(change.path for change in watcher.get(left))
    return seen


def test_an_atomic_save_in_a_source_is_reported(root: Path, watcher: FileWatcher) -> None:
    target = root / "sources" / "demo" / "src" / "demo" / "greeting.py"
    tmp = target.with_name(".greeting.py.tmp")
    tmp.write_text("A = 2\n")
    tmp.replace(target)  # how many editors save
    assert _collect(watcher) == {target}


def test_noise_is_filtered_and_plonedev_files_are_not_watched(
    root: Path, watcher: FileWatcher
) -> None:
    pkg = root / "sources" / "demo" / "src" / "demo"
    (pkg / ".greeting.py.swp").write_text("x")
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "greeting.cpython-311.pyc").write_bytes(b"x")
    (root / ".plonedev" / "logs" / "backend.log").write_text("log line\n")
    (root / "README.md").write_text("not watched\n")
    assert _collect(watcher) == set()


def test_root_files_are_seen_even_after_an_atomic_replace(root: Path, watcher: FileWatcher) -> None:
    mx_ini = root / "mx.ini"
    (root / ".mx.ini.new").write_text("[settings]\n; one\n")
    (root / ".mx.ini.new").replace(mx_ini)
    assert _collect(watcher) == {mx_ini}
    # The watch is on the folder, so it survives the file's replacement.
    mx_ini.write_text("[settings]\n; two\n")
    assert _collect(watcher) == {mx_ini}


def test_a_new_folder_is_reported_as_a_folder(root: Path, watcher: FileWatcher) -> None:
    folder = root / "sources" / "demo" / "src" / "demo" / "newpkg"
    folder.mkdir()
    changes: list[FileChange] = []
    deadline = time.monotonic() + 0.6
    while (left := deadline - time.monotonic()) > 0:
        changes += watcher.get(left)
    assert [(c.path, c.is_dir) for c in changes] == [(folder, True)]


def test_close_ends_the_threads_promptly(root: Path) -> None:
    watcher = FileWatcher(WatchSpec(root, (root / "sources",), frozenset({root / "mx.ini"})))
    before = threading.active_count()
    started = time.monotonic()
    watcher.close()
    assert time.monotonic() - started < 1.0
    assert threading.active_count() == before - 2


def test_missing_folders_are_skipped(tmp_path: Path) -> None:
    watcher = FileWatcher(WatchSpec(tmp_path, (tmp_path / "nope",), frozenset()))
    assert watcher.get(0.05) == []
    watcher.close()
