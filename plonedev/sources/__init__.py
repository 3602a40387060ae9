"""The add-ons a project develops: mx.ini, their checkouts in sources/, and mxdev's outputs.

list_sources(root)           what mx.ini declares, checked, without fetching
sync_sources(root, ...)      clone/update them with mxdev and write the install files
is_dirty(path)               why updating a git checkout could lose work, or None
"""

from __future__ import annotations

from plonedev.sources.git import is_dirty
from plonedev.sources.mxini import SourceSpec, list_sources
from plonedev.sources.result import SourcesResult, SourceState, SourceStateName
from plonedev.sources.sync import CONSTRAINTS_OUT, REQUIREMENTS_OUT, sync_sources

__all__ = [
    "CONSTRAINTS_OUT",
    "REQUIREMENTS_OUT",
    "SourceSpec",
    "SourceState",
    "SourceStateName",
    "SourcesResult",
    "is_dirty",
    "list_sources",
    "sync_sources",
]
