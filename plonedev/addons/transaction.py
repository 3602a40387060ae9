"""All or nothing: remember how things were, and put them back if a later step fails.

A Transaction keeps the bytes of every file before its first change (or that it did not
exist) and a list of undo actions. Undoing goes in phases, because each phase needs the
previous one done: the files first, then what is on disk besides them (a new checkout),
then the backend environment (installed from those files), then the services (restarted
on that environment), then the site (reached through those services). `rollback` keeps
going when one action fails, so one broken undo does not leave the others undone; what
failed is returned for the error message.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path

from plonedev.files import write_atomic


class Phase(IntEnum):
    DISK = 1
    ENVIRONMENT = 2
    SERVICES = 3
    SITE = 4
    SETTLE = 5  # services started for the change stopped again


@dataclass(frozen=True)
class _Saved:
    content: bytes | None  # None: the file did not exist
    mode: int | None


@dataclass
class Transaction:
    saved: dict[Path, _Saved] = field(default_factory=dict)
    undo: list[tuple[Phase, str, Callable[[], object]]] = field(default_factory=list)

    def keep(self, paths: Iterable[Path]) -> None:
        """Remember these files as they are now (a file already remembered keeps its first
        state: that is the one to go back to)."""
        for path in paths:
            if path in self.saved:
                continue
            try:
                self.saved[path] = _Saved(path.read_bytes(), path.stat().st_mode & 0o7777)
            except FileNotFoundError:
                self.saved[path] = _Saved(None, None)

    def write(self, path: Path, text: str) -> None:
        """Change a file atomically, remembering it first."""
        self.keep([path])
        write_atomic(path, text)

    def remove_on_rollback(self, path: Path, within: Path) -> None:
        """Delete `path` when rolling back, unless it existed before this call; with the
        folders above it (up to `within`) that do not exist yet either."""
        if path.exists():
            return
        top = path
        while top.parent != within and not top.parent.exists() and top.parent != top:
            top = top.parent
        self.on_rollback(Phase.DISK, f"removed {_shown(top, within)}", lambda: _remove(top))

    def on_rollback(self, phase: Phase, description: str, action: Callable[[], object]) -> None:
        self.undo.append((phase, description, action))

    def restore_files(self) -> list[Path]:
        """Put every remembered file back, byte for byte; return those that had changed."""
        changed = []
        for path, saved in self.saved.items():
            try:
                now: bytes | None = path.read_bytes()
            except FileNotFoundError:
                now = None
            if now == saved.content:
                continue
            if saved.content is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, saved.content, saved.mode)
            changed.append(path)
        return changed

    def rollback(self) -> Rollback:
        """Undo everything: files, then each phase in order (newest first within one)."""
        report = Rollback()
        try:
            report.files.extend(self.restore_files())
        except OSError as exc:
            report.problems.append(f"restoring the files: {exc}")
        steps = sorted(enumerate(self.undo), key=lambda item: (item[1][0], -item[0]))
        for _, (_, description, action) in steps:
            try:
                action()
            except Exception as exc:  # keep undoing the rest
                report.problems.append(f"{description}: {exc}")
            else:
                report.done.append(description)
        self.undo.clear()
        return report


@dataclass
class Rollback:
    """What a rollback did, for the error message."""

    files: list[Path] = field(default_factory=list)  # restored (or removed again)
    done: list[str] = field(default_factory=list)  # undo actions that succeeded
    problems: list[str] = field(default_factory=list)  # undo actions that failed

    def describe(self, root: Path, generated: Path) -> str:
        """One line: the user's files by name, plonedev's own (under `generated`) counted."""
        parts = []
        own = [path for path in self.files if not path.is_relative_to(generated)]
        made = len(self.files) - len(own)
        names = [_shown(path, root) for path in own]
        if made:
            names.append(f"{made} generated file{'s' if made > 1 else ''}")
        if names:
            parts.append(f"restored {', '.join(names)}")
        parts += self.done
        text = "; ".join(parts) or "nothing had changed yet"
        if self.problems:
            text += "; COULD NOT UNDO: " + "; ".join(self.problems)
        return text


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
