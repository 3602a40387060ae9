from __future__ import annotations

import stat
from pathlib import Path

from plonedev.credentials import ensure_admin_password


def test_password_is_generated_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "var" / "admin-password"
    first = ensure_admin_password(path)
    assert len(first) >= 20
    assert first != "admin"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_admin_password(path) == first


def test_each_project_gets_its_own_password(tmp_path: Path) -> None:
    assert ensure_admin_password(tmp_path / "a") != ensure_admin_password(tmp_path / "b")
