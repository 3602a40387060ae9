from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import pytest

from plonedev.files import (
    contents_digest,
    file_digest,
    values_digest,
    write_atomic,
    write_if_changed,
)


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


def test_contents_digest_covers_names_contents_values_and_missing_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("x")
    base = contents_digest([a, b])
    assert contents_digest([a, b]) == base
    assert contents_digest([b, a]) != base  # the order is the caller's to fix
    b.write_text("")
    assert contents_digest([a, b]) != base  # an empty file is not a missing one
    assert contents_digest([a, b], values={"python": "3.12"}) != contents_digest([a, b])
    assert contents_digest([a], values={"k": 1}) != contents_digest([a], values={"k": 2})


def test_contents_digest_names_the_files_as_told(tmp_path: Path) -> None:
    one, two = tmp_path / "one" / "f.txt", tmp_path / "two" / "f.txt"
    for path in (one, two):
        path.parent.mkdir()
        path.write_text("same")
    assert contents_digest([one]) != contents_digest([two])
    assert contents_digest([one], name=lambda p: p.name) == contents_digest(
        [two], name=lambda p: p.name
    )


def test_contents_digest_without_values_keeps_its_recorded_value(tmp_path: Path) -> None:
    # The native state file records it per service: a new value would restart them all.
    path = tmp_path / "zope.conf"
    path.write_text("conf")
    old = hashlib.sha256(str(path).encode() + b"\0" + hashlib.sha256(b"conf").digest())
    old.update(str(tmp_path / "gone").encode() + b"\0missing")
    assert contents_digest([path, tmp_path / "gone"]) == old.hexdigest()


def test_values_digest_ignores_key_order_and_file_digest_a_missing_file(tmp_path: Path) -> None:
    assert values_digest({"a": 1, "b": 2}) == values_digest({"b": 2, "a": 1})
    assert values_digest(["x", "y"]) != values_digest(["xy", ""])
    path = tmp_path / "f"
    assert file_digest(path) == ""
    path.write_bytes(b"abc")
    assert file_digest(path) == hashlib.sha256(b"abc").hexdigest()
