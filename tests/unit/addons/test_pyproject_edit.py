from __future__ import annotations

import tomllib

import pytest

from plonedev.addons.pyproject_edit import add_to_list, list_values, remove_from_list
from plonedev.errors import ConfigError

USER_FILE = """\
[project]
name = "site"  # our site

[tool.plonedev]
# Plone, as the team runs it
plone-version = "6.2.2"
profiles = [
    "plonedev_demo:default",  # the demo's profile
]
storage   =   "zeo"

[tool.plonedev.ports]
backend = 8081

[tool.other]
x = 1
"""


def test_adding_a_new_key_keeps_every_comment_and_the_layout() -> None:
    text = add_to_list(USER_FILE, "addons", "collective.foo==1.2")
    assert text == USER_FILE.replace(
        'storage   =   "zeo"\n', 'storage   =   "zeo"\naddons = ["collective.foo==1.2"]\n'
    )
    assert tomllib.loads(text)["tool"]["plonedev"]["ports"] == {"backend": 8081}


def test_appending_to_a_multi_line_list() -> None:
    text = add_to_list(USER_FILE, "profiles", "collective.foo:default")
    assert (
        '    "plonedev_demo:default",  # the demo\'s profile\n    "collective.foo:default",\n]'
        in text
    )
    assert list_values(text, "profiles") == ["plonedev_demo:default", "collective.foo:default"]


def test_adding_a_value_that_is_there_changes_nothing() -> None:
    assert add_to_list(USER_FILE, "profiles", "plonedev_demo:default") == USER_FILE


def test_add_then_remove_gives_the_file_back() -> None:
    text = add_to_list(USER_FILE, "addons", "collective.foo")
    text = add_to_list(text, "profiles", "collective.foo:default")
    text, gone = remove_from_list(text, "profiles", lambda v: v.startswith("collective.foo:"))
    assert gone == ["collective.foo:default"]
    text, gone = remove_from_list(text, "addons", lambda v: v == "collective.foo")
    assert gone == ["collective.foo"]
    assert text == USER_FILE


def test_removing_nothing_returns_the_text_unchanged() -> None:
    assert remove_from_list(USER_FILE, "addons", lambda v: True) == (USER_FILE, [])
    assert remove_from_list(USER_FILE, "profiles", lambda v: False) == (USER_FILE, [])


def test_dotted_keys_are_edited_in_place() -> None:
    text = add_to_list('tool.plonedev.site-id = "x"\n', "addons", "a")
    assert text == 'tool.plonedev.site-id = "x"\ntool.plonedev.addons = ["a"]\n'


def test_errors_name_the_file() -> None:
    with pytest.raises(ConfigError, match=r"no \[tool.plonedev\]"):
        add_to_list("[project]\n", "addons", "a")
    with pytest.raises(ConfigError, match=r"tool\.plonedev\.addons: expected a list"):
        add_to_list('[tool.plonedev]\naddons = "a"\n', "addons", "b")
    with pytest.raises(ConfigError, match="invalid TOML"):
        add_to_list("[tool.plonedev\n", "addons", "b")
