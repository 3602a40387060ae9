"""What the watcher looks at, and the noise it ignores.

Folders are watched recursively (the sources, compose/); single files (mx.ini,
pyproject.toml, requirement files, a frontend's package.json) through their folder,
watched on its own, because an editor's atomic save replaces the file and a watch on
the file itself would be lost with the old inode. Nothing under .plonedev/ or var/ is
ever watched: the venv, the logs and the database change all the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Folder names ignored anywhere under a watched folder: VCS data, caches, build output.
IGNORED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        "node_modules",
        "build",
        "dist",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        ".nox",
        ".venv",
        ".idea",
        ".vscode",
        "htmlcov",
    }
)
# Folders of the project root that belong to plonedev or hold data.
IGNORED_ROOT_DIRS = frozenset({".plonedev", "var"})
IGNORED_SUFFIXES = (
    ".egg-info",  # a folder
    ".pyc",
    ".pyo",
    ".swp",  # vim
    ".swo",
    ".swx",
    "~",  # vim/emacs backups
    ".tmp",
    ".kate-swp",
    "___jb_tmp___",  # JetBrains safe write
    "___jb_old___",
)
IGNORED_PREFIXES = (".#", ".goutputstream-", ".~lock.")  # emacs locks, gedit, LibreOffice
IGNORED_NAMES = frozenset({"4913", ".DS_Store"})  # 4913: vim probes it can write the folder


def ignored_name(name: str) -> bool:
    return (
        name in IGNORED_NAMES
        or name.endswith(IGNORED_SUFFIXES)
        or name.startswith(IGNORED_PREFIXES)
        or (name.startswith("#") and name.endswith("#"))  # emacs auto-save
    )


def is_ignored(path: Path, root: Path) -> bool:
    """True for editor temporaries, caches, VCS data, build output and plonedev's own files."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = path.parts
    if not parts:
        return False
    if parts[0] in IGNORED_ROOT_DIRS:
        return True
    return any(part in IGNORED_DIRS or ignored_name(part) for part in parts)


@dataclass(frozen=True)
class WatchSpec:
    root: Path
    trees: tuple[Path, ...]  # watched recursively
    files: frozenset[Path]  # watched through their folder, each on its own

    @property
    def folders(self) -> tuple[Path, ...]:
        """The parents of `files`, watched without their subfolders."""
        return tuple(sorted({path.parent for path in self.files}))

    def accepts(self, path: Path) -> bool:
        if path in self.files:
            return True
        if not any(path.is_relative_to(tree) for tree in self.trees):
            return False
        return not is_ignored(path, self.root)

    def describe(self) -> str:
        """What is watched and exists now, relative to the root, for the user."""
        shown = [f"{_relative(tree, self.root)}/" for tree in self.trees if tree.is_dir()]
        shown += sorted(
            _relative(path, self.root)
            for path in self.files
            if path.exists() and not any(path.is_relative_to(tree) for tree in self.trees)
        )
        return ", ".join(shown) or "nothing"


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
