"""One file-system change as the watcher hands it to the rules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class ChangeKind(StrEnum):
    ADDED = "added"  # also what an editor's atomic save (write elsewhere, rename over) reports
    MODIFIED = "modified"
    DELETED = "deleted"


@dataclass(frozen=True)
class FileChange:
    kind: ChangeKind
    path: Path  # absolute
    is_dir: bool = False  # known for paths that exist when the change is read


def merge(changes: list[FileChange]) -> list[FileChange]:
    """One change per path, in first-seen order; the path's last state wins (an added
    file later deleted in the same batch is deleted; deleted then added is modified)."""
    merged: dict[Path, FileChange] = {}
    for change in changes:
        before = merged.get(change.path)
        if (
            before is not None
            and before.kind is ChangeKind.DELETED
            and change.kind is ChangeKind.ADDED
        ):
            change = FileChange(ChangeKind.MODIFIED, change.path, change.is_dir)
        elif (
            before is not None
            and before.kind is ChangeKind.ADDED
            and change.kind is not (ChangeKind.DELETED)
        ):
            change = before  # still a new file, whatever happened to it since
        merged[change.path] = change
    return list(merged.values())
