from __future__ import annotations

from pathlib import Path

from plonedev.addons.transaction import Phase, Transaction


def test_rollback_puts_files_back_byte_for_byte_and_removes_new_ones(tmp_path: Path) -> None:
    kept = tmp_path / "pyproject.toml"
    kept.write_bytes(b"[tool.plonedev]\r\n# keep \xc3\xa9\r\n")
    kept.chmod(0o640)
    new = tmp_path / "mx.ini"
    transaction = Transaction()
    transaction.write(kept, "changed\n")
    transaction.write(kept, "changed again\n")  # the first state is the one to go back to
    transaction.write(new, "[settings]\n")
    report = transaction.rollback()
    assert kept.read_bytes() == b"[tool.plonedev]\r\n# keep \xc3\xa9\r\n"
    assert kept.stat().st_mode & 0o777 == 0o640
    assert not new.exists()
    assert sorted(report.files) == sorted([kept, new])


def test_undo_runs_by_phase_then_newest_first_and_survives_failures(tmp_path: Path) -> None:
    order: list[str] = []
    transaction = Transaction()
    transaction.on_rollback(Phase.SERVICES, "restart", lambda: order.append("restart"))
    transaction.on_rollback(Phase.ENVIRONMENT, "env", lambda: order.append("env"))

    def broken() -> None:
        order.append("disk")
        raise OSError("disk full")

    transaction.on_rollback(Phase.DISK, "remove checkout", broken)
    transaction.on_rollback(Phase.ENVIRONMENT, "env 2", lambda: order.append("env 2"))
    report = transaction.rollback()
    assert order == ["disk", "env 2", "env", "restart"]
    assert report.problems == ["remove checkout: disk full"]
    assert report.done == ["env 2", "env", "restart"]
    assert "COULD NOT UNDO: remove checkout: disk full" in report.describe(
        tmp_path, tmp_path / ".x"
    )


def test_remove_on_rollback_only_for_what_did_not_exist(tmp_path: Path) -> None:
    existing = tmp_path / "sources" / "old"
    existing.mkdir(parents=True)
    created = tmp_path / "sources" / "new"
    transaction = Transaction()
    transaction.remove_on_rollback(existing, tmp_path)
    transaction.remove_on_rollback(created, tmp_path)
    deep = tmp_path / "new-sources" / "a" / "pkg"  # its folders go too, up to the root
    transaction.remove_on_rollback(deep, tmp_path)
    created.mkdir()
    (created / "file").write_text("x")
    deep.mkdir(parents=True)
    report = transaction.rollback()
    assert existing.is_dir()
    assert not created.exists()
    assert not (tmp_path / "new-sources").exists()
    assert report.done == ["removed new-sources", f"removed {Path('sources', 'new')}"]


def test_describe_names_user_files_and_counts_generated_ones(tmp_path: Path) -> None:
    transaction = Transaction()
    for path in (
        tmp_path / "pyproject.toml",
        tmp_path / ".plonedev" / "a",
        tmp_path / ".plonedev" / "b",
    ):
        transaction.write(path, "x")
    text = transaction.rollback().describe(tmp_path, tmp_path / ".plonedev")
    assert text == "restored pyproject.toml, 2 generated files"
    assert Transaction().rollback().describe(tmp_path, tmp_path) == "nothing had changed yet"
