from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.addons.mxini_edit import NEW_FILE, add_section, remove_section, section_names
from plonedev.errors import ConfigError
from plonedev.sources.mxini import list_sources

USER_FILE = """\
; Our add-ons.   Keep this comment!
[settings]
default-target = sources
# threads = 8

; the form builder, pinned until the upgrade
[collective.easyform]
url = https://github.com/collective/collective.easyform.git
branch = 4.x   ; inline note
; commented-out = value

[plonedev-demo]
url = plonedev-demo
vcs = fs
"""


def test_adding_appends_a_section_and_keeps_everything_else() -> None:
    text = add_section(
        USER_FILE, "collective.foo", [("url", "https://x/foo.git"), ("branch", "main")]
    )
    assert text.startswith(USER_FILE)
    assert text[len(USER_FILE) :] == "\n[collective.foo]\nurl = https://x/foo.git\nbranch = main\n"


def test_adding_to_a_file_without_final_newline_or_with_trailing_blanks() -> None:
    assert add_section("[settings]", "a", [("url", "u")]) == "[settings]\n\n[a]\nurl = u\n"
    assert add_section("[settings]\n\n\n", "a", [("url", "u")]) == "[settings]\n\n[a]\nurl = u\n"


def test_removing_what_was_added_gives_the_file_back_byte_for_byte() -> None:
    added = add_section(USER_FILE, "collective.foo", [("url", "https://x/foo.git")])
    assert remove_section(added, "collective.foo") == USER_FILE


def test_removing_a_middle_section_takes_its_comment_paragraph_and_keys() -> None:
    text = remove_section(USER_FILE, "collective.easyform")
    assert "easyform" not in text and "form builder" not in text
    assert text.startswith("; Our add-ons.   Keep this comment!\n[settings]\n")
    assert "# threads = 8\n\n[plonedev-demo]\n" in text
    assert "commented-out" not in text
    assert text.endswith("[plonedev-demo]\nurl = plonedev-demo\nvcs = fs\n")


def test_the_file_s_own_top_comment_is_not_a_section_comment() -> None:
    text = remove_section("; top comment\n[a]\nurl = x\n\n[b]\nurl = y\n", "a")
    assert text == "; top comment\n[b]\nurl = y\n"


def test_removing_the_last_section() -> None:
    text = remove_section(USER_FILE, "plonedev-demo")
    assert text == USER_FILE[: USER_FILE.index("\n[plonedev-demo]") + 1].rstrip("\n") + "\n"


def test_a_comment_paragraph_above_the_next_section_stays() -> None:
    text = "[settings]\n\n[a]\nurl = x\n; a's note\n\n; about b\n[b]\nurl = y\n"
    assert remove_section(text, "a") == "[settings]\n\n; about b\n[b]\nurl = y\n"


def test_the_result_reads_as_mxdev_reads_it(tmp_path: Path) -> None:
    (tmp_path / "mx.ini").write_text(
        add_section(NEW_FILE, "collective.foo", [("url", "https://x")])
    )
    [spec] = list_sources(tmp_path)
    assert (spec.name, spec.url, spec.path) == (
        "collective.foo",
        "https://x",
        tmp_path / "sources" / "collective.foo",
    )


def test_section_names_and_errors() -> None:
    assert section_names(USER_FILE) == ["settings", "collective.easyform", "plonedev-demo"]
    with pytest.raises(ConfigError, match=r"\[plonedev-demo\] exists already"):
        add_section(USER_FILE, "plonedev-demo", [("url", "x")])
    with pytest.raises(ConfigError, match=r"no \[nothere\] section"):
        remove_section(USER_FILE, "nothere")
    with pytest.raises(ConfigError, match="invalid value"):
        add_section(USER_FILE, "x", [("url", "a\nb")])
