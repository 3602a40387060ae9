"""Only one watcher per project."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from plonedev.errors import PlonedevError
from plonedev.watch.lock import watch_lock


def test_a_second_watcher_is_refused_and_told_who_watches(tmp_path: Path) -> None:
    with (
        watch_lock(tmp_path / "run"),
        pytest.raises(PlonedevError, match=rf"pid {os.getpid()}\) is watching"),
        watch_lock(tmp_path / "run"),
    ):
        pass
    with watch_lock(tmp_path / "run"):  # free again once the first one is done
        pass
