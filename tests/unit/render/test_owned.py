"""The "generated" marker decides who owns a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.render.owned import MARKER, WriteOutcome, write_owned

CONTENT = f"# {MARKER}: delete this line to take the file over.\nvalue = 1\n"


def test_a_new_file_is_written_then_left_alone_when_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "compose" / "compose.yaml"
    assert write_owned(path, CONTENT).outcome is WriteOutcome.WRITTEN
    mtime = path.stat().st_mtime_ns
    assert write_owned(path, CONTENT).outcome is WriteOutcome.UNCHANGED
    assert path.stat().st_mtime_ns == mtime


def test_a_generated_file_is_rewritten_when_its_content_changes(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    write_owned(path, CONTENT)
    assert write_owned(path, CONTENT + "more = 2\n").outcome is WriteOutcome.WRITTEN
    assert path.read_text().endswith("more = 2\n")


def test_without_the_marker_the_file_is_the_users(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    write_owned(path, CONTENT)
    path.write_text("# mine now\nvalue = 42\n")
    assert write_owned(path, CONTENT + "more = 2\n").outcome is WriteOutcome.USER_OWNED
    assert path.read_text() == "# mine now\nvalue = 42\n"


def test_generated_content_must_carry_the_marker(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="must carry"):
        write_owned(tmp_path / "x", "no marker\n")


def test_mode_is_applied(tmp_path: Path) -> None:
    path = tmp_path / "entrypoint"
    write_owned(path, "#!/bin/sh\n# " + MARKER + "\n", mode=0o755)
    assert path.stat().st_mode & 0o777 == 0o755
