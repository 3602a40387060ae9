"""Editors' ways of saving, through the real file watcher and the loop's batcher.

Each save must be one batch, applied at once (the leading edge), holding only the saved
file and read back with its final content; a branch switch of 500 files is one batch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plonedev.watch.changes import FileChange
from plonedev.watch.debounce import Batcher
from plonedev.watch.filter import WatchSpec
from plonedev.watch.loop import WatchOptions
from plonedev.watch.source import FileWatcher

Save = Callable[[Path, str], None]


@pytest.fixture
def package(tmp_path: Path) -> Path:
    package = tmp_path.resolve() / "sources" / "demo" / "src" / "demo"
    package.mkdir(parents=True)
    (package / "greeting.py").write_text("GREETING = 'old'\n")
    return package


@pytest.fixture
def watcher(package: Path) -> Iterator[FileWatcher]:
    root = package.parents[3]
    watcher = FileWatcher(WatchSpec(root, (root / "sources",), frozenset()))
    yield watcher
    watcher.close()


def _batches(watcher: FileWatcher, seconds: float) -> list[tuple[float, list[FileChange]]]:
    """What the watch loop would act on within `seconds`, each with how long it waited in
    the batcher after its first change arrived."""
    options = WatchOptions()
    batcher: Batcher[FileChange] = Batcher(options.quiet, options.max_wait, leading=options.leading)
    started = time.monotonic()
    arrived = 0.0
    batches = []
    while (left := started + seconds - time.monotonic()) > 0:
        timeout = batcher.timeout()
        changes = watcher.get(left if timeout is None else min(timeout, left))
        if changes and not len(batcher):
            arrived = time.monotonic()
        batcher.add(changes)
        if batch := batcher.take():
            batches.append((time.monotonic() - arrived, batch))
    if len(batcher):
        batches.append((seconds, batcher.flush()))
    return batches


def vim(target: Path, text: str) -> None:
    """vim's default (backupcopy=auto): probe file, backup by rename, write anew."""
    probe = target.with_name("4913")
    probe.write_text("")
    probe.unlink()
    backup = target.with_name(target.name + "~")
    target.rename(backup)
    target.write_text(text)
    backup.unlink()


def vscode(target: Path, text: str) -> None:
    """VS Code writes in place: truncate, then the content in more than one write."""
    with target.open("w") as out:
        out.flush()
        middle = len(text) // 2
        out.write(text[:middle])
        out.flush()
        os.fsync(out.fileno())
        out.write(text[middle:])


def jetbrains(target: Path, text: str) -> None:
    """JetBrains' safe write: a temporary twin, the old file aside, the twin renamed in."""
    tmp = target.with_name(target.name + "___jb_tmp___")
    old = target.with_name(target.name + "___jb_old___")
    tmp.write_text(text)
    target.rename(old)
    tmp.rename(target)
    old.unlink()


def atomic_rename(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text)
    tmp.replace(target)


def several_saves_within_50_ms(target: Path, text: str) -> None:
    for n in range(3):
        target.write_text(f"GREETING = 'draft {n}'\n")
        time.sleep(0.015)
    target.write_text(text)


@pytest.mark.parametrize(
    "save", [vim, vscode, jetbrains, atomic_rename, several_saves_within_50_ms]
)
def test_one_save_is_one_batch_at_once_with_the_final_content(
    package: Path, watcher: FileWatcher, save: Save
) -> None:
    target = package / "greeting.py"
    save(target, "GREETING = 'new'\n")
    batches = _batches(watcher, 0.8)
    assert len(batches) == 1, batches
    waited, batch = batches[0]
    assert {change.path for change in batch} == {target}
    assert target.read_text() == "GREETING = 'new'\n"
    assert waited < 0.05  # applied as it arrived: no quiet period (0.3 s) on top


def test_a_branch_switch_of_500_files_is_one_batch(package: Path, watcher: FileWatcher) -> None:
    for n in range(500):
        (package / f"module_{n}.py").write_text(f"N = {n}\n")
    batches = _batches(watcher, 1.5)
    assert len(batches) == 1, [len(batch) for _, batch in batches]
    assert len({change.path for change in batches[0][1]}) == 500
