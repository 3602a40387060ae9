"""Edit the lists of `[tool.plonedev]` in pyproject.toml with tomlkit: comments, order and
formatting of everything else stay exactly as the user wrote them."""

from __future__ import annotations

from collections.abc import Callable

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Array, Table

from plonedev.errors import ConfigError

LABEL = "pyproject.toml"


def list_values(text: str, key: str) -> list[str]:
    """The strings of `tool.plonedev.<key>` (empty when the key is not there)."""
    current = _plonedev(_parse(text)).get(key)
    return [str(value) for value in current] if isinstance(current, list) else []


def add_to_list(text: str, key: str, value: str) -> str:
    """`text` with `value` appended to `tool.plonedev.<key>` (created when missing);
    unchanged when the value is there already."""
    document = _parse(text)
    table = _plonedev(document)
    current = table.get(key)
    if current is None:
        array = tomlkit.array()
        array.append(value)
        table[key] = array
    elif isinstance(current, Array):
        if value in [str(item) for item in current]:
            return text
        current.append(value)
    else:
        raise ConfigError(f"{LABEL}: tool.plonedev.{key}: expected a list")
    return tomlkit.dumps(document)


def remove_from_list(text: str, key: str, matches: Callable[[str], bool]) -> tuple[str, list[str]]:
    """`text` without the items of `tool.plonedev.<key>` that `matches`; and those items.

    A list that becomes empty goes too: add, then remove, gives back the same file.
    """
    document = _parse(text)
    table = _plonedev(document)
    current = table.get(key)
    if not isinstance(current, Array):
        return text, []
    removed = [str(item) for item in current if matches(str(item))]
    if not removed:
        return text, []
    for index in reversed(range(len(current))):
        if matches(str(current[index])):
            del current[index]
    if not len(current):
        del table[key]
    return tomlkit.dumps(document), removed


def _parse(text: str) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"{LABEL}: invalid TOML: {exc}", "fix the syntax at that line") from None


def _plonedev(document: tomlkit.TOMLDocument) -> Table:
    tool = document.get("tool")
    table = tool.get("plonedev") if tool is not None else None
    if not isinstance(table, Table):
        raise ConfigError(
            f"{LABEL}: no [tool.plonedev] table to edit",
            "add one (`plonedev init` writes a working example)",
        )
    return table
