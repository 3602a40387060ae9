from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.addons.lock import change_lock
from plonedev.errors import PlonedevError
from plonedev.watch.lock import watch_lock


def test_a_change_refuses_to_run_next_to_a_watcher(tmp_path: Path) -> None:
    with (
        watch_lock(tmp_path),
        pytest.raises(PlonedevError, match="would race with it"),
        change_lock(tmp_path, "add-addon"),
    ):
        pass


def test_no_watcher_starts_during_a_change(tmp_path: Path) -> None:
    with (
        change_lock(tmp_path, "add-addon"),
        pytest.raises(PlonedevError, match="plonedev watch"),
        watch_lock(tmp_path),
    ):
        pass
    with change_lock(tmp_path, "add-addon"):
        pass  # released: the next change runs
