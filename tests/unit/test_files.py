from __future__ import annotations

import stat
from pathlib import Path

import pytest

from plonedev.files import write_atomic, write_if_changed


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_atomic_creates_the_folders_and_a_0644_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "file.txt"
    write_atomic(path, "héllo\n")
    assert path.read_bytes() == "héllo\n".encode()
    assert _mode(path) == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["file.txt"]


def test_write_atomic_writes_bytes_as_they_are(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    write_atomic(path, b"\x00\xff\r\n")
    assert path.read_bytes() == b"\x00\xff\r\n"


def test_a_replaced_file_keeps_its_permissions_unless_told(tmp_path: Path) -> None:
    path = tmp_path / "script"
    path.write_text("old")
    path.chmod(0o750)
    write_atomic(path, "new")
    assert _mode(path) == 0o750
    write_atomic(path, "newer", mode=0o600)
    assert _mode(path) == 0o600


def test_the_mode_is_set_before_the_file_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    real_replace = Path.replace

    def replace(self: Path, target: Path) -> Path:
        seen.append(_mode(self))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", replace)
    write_atomic(tmp_path / "secret", "s3cret\n", mode=0o600)
    assert seen == [0o600]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("old\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "half \udcff")  # fails while the temporary file is written
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["config"]


def test_a_failed_replace_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "config"
    path.write_text("old\n")

    def replace(self: Path, target: Path) -> Path:
        raise OSError("disk gone")

    monkeypatch.setattr(Path, "replace", replace)
    with pytest.raises(OSError, match="disk gone"):
        write_atomic(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["config"]


def test_write_if_changed_leaves_an_identical_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "zope.conf"
    assert write_if_changed(path, "one\n")
    inode = path.stat().st_ino
    assert not write_if_changed(path, "one\n")
    assert path.stat().st_ino == inode  # not even replaced by a copy
    assert write_if_changed(path, "two\n")
    assert path.read_text() == "two\n"


def test_write_if_changed_replaces_a_file_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"\xff\xfe")
    assert write_if_changed(path, "text\n")
    assert path.read_text() == "text\n"
