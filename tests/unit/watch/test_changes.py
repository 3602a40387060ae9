"""Several events for one path in a batch become the one change that describes it."""

from __future__ import annotations

from pathlib import Path

from plonedev.watch.changes import ChangeKind, FileChange, merge

A, M, D = ChangeKind.ADDED, ChangeKind.MODIFIED, ChangeKind.DELETED
X, Y = Path("/p/x.py"), Path("/p/y.py")


def test_one_change_per_path_in_first_seen_order() -> None:
    merged = merge([FileChange(M, Y), FileChange(M, X), FileChange(M, Y)])
    assert merged == [FileChange(M, Y), FileChange(M, X)]


def test_added_then_modified_is_still_added() -> None:
    assert merge([FileChange(A, X), FileChange(M, X)]) == [FileChange(A, X)]


def test_added_then_deleted_is_deleted() -> None:
    assert merge([FileChange(A, X), FileChange(D, X)]) == [FileChange(D, X)]


def test_deleted_then_added_is_a_modification() -> None:
    # What an editor that deletes and rewrites a file looks like.
    assert merge([FileChange(D, X), FileChange(A, X)]) == [FileChange(M, X)]
