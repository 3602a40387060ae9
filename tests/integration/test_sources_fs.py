"""sync_sources with filesystem packages and without mx.ini: mxdev runs, nothing is fetched."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from plonedev.errors import ConfigError, PlonedevError
from plonedev.sources import SourcesResult, sync_sources


def project(root: Path, mx_ini: str | None) -> Path:
    package = root / "sources" / "my.addon"
    (package / "src" / "my" / "addon").mkdir(parents=True)
    (package / "pyproject.toml").write_text('[project]\nname = "my.addon"\nversion = "1"\n')
    (root / "constraints.txt").write_text("my.addon==1.0\nsix==1.16.0\n")
    (root / ".plonedev").mkdir()
    (root / ".plonedev" / "requirements-in.txt").write_text("-c constraints.txt\nsix\n")
    if mx_ini is not None:
        (root / "mx.ini").write_text(mx_ini)
    return root


def sync(root: Path, **kwargs: Any) -> SourcesResult:
    return sync_sources(
        root,
        requirements_in=Path(".plonedev/requirements-in.txt"),
        out_dir=Path(".plonedev"),
        **kwargs,
    )


FS = "[my.addon]\nurl = my.addon\nvcs = fs\n"


def test_fs_package_is_installed_editable(tmp_path: Path) -> None:
    root = project(tmp_path, FS)
    result = sync(root)
    assert [(s.name, s.state) for s in result.sources] == [("my.addon", "fs")]
    assert result.requirements == tmp_path / ".plonedev" / "requirements-mxdev.txt"
    requirements = result.requirements.read_text()
    assert "\n-e ./sources/my.addon\n" in requirements
    assert "\nsix\n" in requirements
    assert "# my.addon==1.0 -> mxdev disabled (source)" in result.constraints.read_text()


def test_without_mx_ini_the_outputs_are_still_written(tmp_path: Path) -> None:
    root = project(tmp_path, None)
    result = sync(root)
    assert result.sources == ()
    assert "\nsix\n" in result.requirements.read_text()
    assert "\nmy.addon==1.0\n" in result.constraints.read_text()


def test_without_constraints_no_stale_constraints_file_is_left(tmp_path: Path) -> None:
    root = project(tmp_path, FS)
    sync(root)
    (root / ".plonedev" / "requirements-in.txt").write_text("six\n")
    result = sync(root)
    assert result.constraints.read_text() == "# no constraints\n"
    assert "-c constraints-mxdev.txt" not in result.requirements.read_text()


def test_a_custom_path_is_written_as_it_is_checked_out(tmp_path: Path) -> None:
    root = project(tmp_path, "[settings]\ndefault-target = ${settings:directory}/sources\n" + FS)
    result = sync(root)
    # mxdev alone would write "-e ./<absolute target>/my.addon".
    assert "\n-e ./sources/my.addon\n" in result.requirements.read_text()


def test_unchanged_project_skips_mxdev_and_is_fast(tmp_path: Path) -> None:
    root = project(tmp_path, FS)
    first = sync(root)
    start = time.perf_counter()
    second = sync(root)
    elapsed = time.perf_counter() - start
    assert (first.cached, second.cached) == (False, True)
    assert second.sources == first.sources
    assert elapsed < 0.1
    (root / "mx.ini").write_text(FS + "install-mode = fixed\n")
    third = sync(root)
    assert third.cached is False
    assert "\n./sources/my.addon\n" in third.requirements.read_text()


def test_an_edited_output_is_rewritten(tmp_path: Path) -> None:
    root = project(tmp_path, FS)
    result = sync(root)
    result.requirements.write_text("tampered\n")
    again = sync(root)
    assert again.cached is False
    assert "\n-e ./sources/my.addon\n" in again.requirements.read_text()


def test_mxdev_log_goes_to_on_line_only(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    root = project(tmp_path, FS)
    lines: list[str] = []
    sync(root, on_line=lines.append)
    assert any(line.startswith("Write [r]: ") for line in lines)
    assert not any(set(line) <= {"#", " "} for line in lines)
    assert capfd.readouterr() == ("", "")


def test_missing_fs_package_is_a_config_error(tmp_path: Path) -> None:
    root = project(tmp_path, "[other]\nurl = other\nvcs = fs\n")
    with pytest.raises(ConfigError, match=r"mx.ini: \[other\]: vcs = fs, but .* does not exist"):
        sync(root)


def test_broken_mx_ini_is_a_config_error(tmp_path: Path) -> None:
    root = project(tmp_path, "[my.addon]\nvcs = fs\n")
    with pytest.raises(ConfigError, match=r"^mx.ini: \[my.addon\]: no url"):
        sync(root)


def test_missing_constraints_file_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path, FS)
    (root / "constraints.txt").unlink()
    with pytest.raises(
        PlonedevError, match=r"requirements-in\.txt: constraints\.txt: file not found"
    ):
        sync(root)


def test_runs_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "project", FS)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = sync(root)
    assert "\n-e ./sources/my.addon\n" in result.requirements.read_text()
    assert Path.cwd() == elsewhere
    assert list(elsewhere.iterdir()) == []


def test_constraints_url_is_cached_under_out_dir_for_offline_use(tmp_path: Path) -> None:
    root = project(tmp_path, FS)
    url = (root / "constraints.txt").as_uri()
    (root / ".plonedev" / "requirements-in.txt").write_text(f"-c {url}\nsix\n")
    first = sync(root)
    (root / "constraints.txt").unlink()  # as if the host were unreachable
    offline = sync(root, offline=True)
    assert "\nsix==1.16.0\n" in first.constraints.read_text()
    assert offline.constraints.read_text() == first.constraints.read_text()
    assert (root / ".plonedev" / "mxdev-cache").is_dir()
    assert not (root / ".mxdev_cache").exists()


def test_unreachable_constraints_url_is_a_plonedev_error(tmp_path: Path) -> None:
    root = project(tmp_path, FS)
    missing = (tmp_path / "nowhere.txt").as_uri()
    (root / ".plonedev" / "requirements-in.txt").write_text(f"-c {missing}\nsix\n")
    with pytest.raises(PlonedevError, match="cannot read the requirements: Failed to fetch"):
        sync(root)
