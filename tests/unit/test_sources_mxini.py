from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.errors import ConfigError
from plonedev.sources import SourceSpec, list_sources


def write(root: Path, text: str) -> Path:
    (root / "mx.ini").write_text(text)
    return root


def error(root: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        list_sources(write(root, text))
    assert caught.value.message.startswith("mx.ini: ")
    return str(caught.value)


def test_no_mx_ini_means_no_sources(tmp_path: Path) -> None:
    assert list_sources(tmp_path) == ()


def test_defaults_are_mxdevs(tmp_path: Path) -> None:
    write(tmp_path, "[collective.foo]\nurl = https://github.com/collective/collective.foo.git\n")
    assert list_sources(tmp_path) == (
        SourceSpec(
            name="collective.foo",
            url="https://github.com/collective/collective.foo.git",
            vcs="git",
            branch="main",
            rev=None,
            path=tmp_path.resolve() / "sources" / "collective.foo",
            install_mode="editable",
            update=True,
        ),
    )


def test_settings_targets_and_per_package_keys(tmp_path: Path) -> None:
    write(
        tmp_path,
        "[settings]\ndefault-target = src\ndefault-install-mode = fixed\n"
        "[a]\nurl = u\nbranch = 6.x\nupdate = no\n"
        "[b]\nurl = u\ntarget = ${settings:directory}/elsewhere\ninstall-mode = skip\n"
        "[c]\nurl = u\nrev = 1.2.3\n"
        "[d]\nurl = u\nuse = false\n",
    )
    a, b, c = list_sources(tmp_path)
    root = tmp_path.resolve()
    assert (a.path, a.branch, a.install_mode, a.update) == (
        root / "src" / "a",
        "6.x",
        "fixed",
        False,
    )
    assert (b.path, b.install_mode) == (root / "elsewhere" / "b", "skip")
    assert (c.branch, c.rev) == (None, "1.2.3")


def test_fs_package_lives_in_the_target(tmp_path: Path) -> None:
    write(tmp_path, "[my.addon]\nurl = my.addon\nvcs = fs\n")
    (spec,) = list_sources(tmp_path)
    assert (spec.vcs, spec.path) == ("fs", tmp_path.resolve() / "sources" / "my.addon")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("url = x\n", "mx.ini: line 1: a setting outside any [section]"),
        ("[a]\nurl = x\nthis is not a key\n", "mx.ini: line 3: cannot parse 'this is not a key'"),
        ("[a]\nurl = x\n[a]\nurl = y\n", "mx.ini: line 3: [a] appears twice"),
        ("[a]\nurl = x\nurl = y\n", "mx.ini: [a]: url is set twice (line 3)"),
        ("[collective.foo]\nbranch = main\n", "mx.ini: [collective.foo]: no url"),
        ("[a]\nurl = x\nvcs = cvs\n", "mx.ini: [a]: vcs: unknown version control 'cvs'"),
        (
            "[a]\nurl = x\ninstall-mode = develop\n",
            "mx.ini: [a]: install-mode: expected one of editable, fixed, skip, got 'develop'",
        ),
        (
            "[settings]\ndefault-install-mode = nope\n[a]\nurl = x\n",
            "mx.ini: [settings]: default-install-mode: expected one of",
        ),
        ("[a]\nurl = x\nupdate = sometimes\n", "mx.ini: [a]: update: expected true or false"),
        ("[a]\nurl = x\nbranch = 6.x\nrev = abc\n", "mx.ini: [a]: both branch (6.x) and rev"),
        ("[a]\nurl = ${settings:nope}\n", "mx.ini: [a]: url: bad ${...} reference"),
        ("[a]\nurl = b\nvcs = fs\n", "mx.ini: [a]: vcs = fs needs url = the directory name ('a')"),
    ],
)
def test_broken_mx_ini_names_section_and_key(tmp_path: Path, text: str, expected: str) -> None:
    assert error(tmp_path, text).startswith(expected)


def test_unknown_vcs_hint_lists_the_known_ones(tmp_path: Path) -> None:
    assert "use one of bzr, darcs, fs, git" in error(tmp_path, "[a]\nurl = x\nvcs = cvs\n")


def test_included_files_are_read(tmp_path: Path) -> None:
    (tmp_path / "more.ini").write_text("[b]\nurl = https://example.org/b.git\n")
    write(tmp_path, "[settings]\ninclude = more.ini\n[a]\nurl = https://example.org/a.git\n")
    assert sorted(s.name for s in list_sources(tmp_path)) == ["a", "b"]
