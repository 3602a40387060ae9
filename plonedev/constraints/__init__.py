"""Plone pin sets verified by plonedev, used when the release's own constraints cannot be
reached or none is configured."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def bundled_constraints(plone_version: str) -> Path | None:
    candidate = _HERE / f"plone-{plone_version}.txt"
    return candidate if candidate.is_file() else None


def bundled_versions() -> list[str]:
    return sorted(p.stem.removeprefix("plone-") for p in _HERE.glob("plone-*.txt"))
