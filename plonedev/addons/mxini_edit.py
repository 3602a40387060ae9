"""Edit mx.ini as text, so the user's comments, order and spacing stay as they were.

configparser would rewrite the whole file without its comments: it only reads here (to
check the result, in plonedev.sources.mxini). A section is added at the end of the file
and removed with the comment paragraph written right above its header.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from plonedev.errors import ConfigError

NEW_FILE = """\
; Add-ons developed in this project. plonedev checks them out into sources/ with mxdev
; and installs them editable into the backend. Add one with `plonedev add-addon`.
[settings]
default-target = sources
"""

# configparser's section header: an unindented `[name]`, maybe followed by a comment.
_HEADER = re.compile(r"\[(?P<name>.+)\]")
_COMMENT = ("#", ";")


def section_names(text: str) -> list[str]:
    return [name for _, name in _headers(text.splitlines())]


def add_section(text: str, name: str, values: Sequence[tuple[str, str]]) -> str:
    """`text` with `[name]` and its `key = value` lines appended after a blank line."""
    if name in section_names(text):
        raise ConfigError(f"mx.ini: [{name}] exists already", "remove it first")
    for key, value in values:
        if "\n" in value or "\r" in value or not value.strip():
            raise ConfigError(f"mx.ini: [{name}]: {key}: invalid value {value!r}")
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()  # one blank line between sections, whatever the file ended with
    block = [f"[{name}]", *(f"{key} = {value}" for key, value in values)]
    return "\n".join([*lines, "", *block] if lines else block) + "\n"


def remove_section(text: str, name: str) -> str:
    """`text` without `[name]`: the comment paragraph above its header, the header, and
    everything up to the next section (whose own comment paragraph stays)."""
    lines = text.splitlines()
    headers = _headers(lines)
    starts = [index for index, header in headers if header == name]
    if not starts:
        raise ConfigError(f"mx.ini: no [{name}] section", "check the name (`plonedev addons`)")
    start = starts[0]
    following = [index for index, _ in headers if index > start]
    end = _attached_comment(lines, following[0]) if following else len(lines)
    first = _attached_comment(lines, start)
    kept = lines[:first] + lines[end:]
    # One blank line where the section was, none at the ends.
    while (
        first < len(kept) and first > 0 and not kept[first].strip() and not kept[first - 1].strip()
    ):
        del kept[first]
    while first > 0 and first == len(kept) and not kept[first - 1].strip():
        first -= 1
        del kept[first]
    return "\n".join(kept) + "\n" if kept else ""


def _attached_comment(lines: list[str], header: int) -> int:
    """Where the comment paragraph right above the header starts (the header if none).

    Only a paragraph of its own (a blank line above it) counts: the comment at the top of
    the file, or one that follows a key without a blank line, is left alone.
    """
    first = header
    while first > 0 and lines[first - 1].lstrip().startswith(_COMMENT):
        first -= 1
    if first == header or first == 0 or lines[first - 1].strip():
        return header
    return first


def _headers(lines: list[str]) -> list[tuple[int, str]]:
    found = []
    for index, line in enumerate(lines):
        if line[:1] == "[":
            match = _HEADER.match(line.strip())
            if match:
                found.append((index, match["name"].strip()))
    return found
