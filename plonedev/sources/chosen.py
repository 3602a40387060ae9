"""The add-ons a command was asked to work on: named ones from mx.ini, or all checked out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.sources.mxini import SourceSpec, list_sources


def chosen_sources(root: Path, names: Sequence[str]) -> list[SourceSpec]:
    """The named add-ons (case-insensitive), each checked out; all checked-out ones when
    none are named. One line naming an unknown or missing add-on, and the fix."""
    specs = list_sources(root)
    if not names:
        return [spec for spec in specs if spec.path.is_dir()]
    by_name = {spec.name.lower(): spec for spec in specs}
    chosen = []
    for name in names:
        spec = by_name.get(name.lower())
        if spec is None:
            known = ", ".join(spec.name for spec in specs) or "none"
            raise PlonedevError(
                f"{name!r} is not an add-on in mx.ini (known: {known})",
                "name one of them, or add it with `plonedev add-addon`",
            )
        if not spec.path.is_dir():
            raise PlonedevError(
                f"{spec.name} is not checked out in {spec.path}", "run `plonedev up` first"
            )
        chosen.append(spec)
    return chosen
