"""Write files atomically, and only when their content changes; tell when it did."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


def write_atomic(path: Path, content: str | bytes, mode: int | None = None) -> None:
    """Replace `path` in one step: readers see the old file or the new one, never half.

    Text is written as UTF-8. `mode` is set on the temporary file before it is moved in
    place (mkstemp makes it 0600 until then), so a private file is never readable by
    others; without `mode` an existing file keeps its permissions, a new one is 0644."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content.encode() if isinstance(content, str) else content)
        if mode is not None:
            Path(tmp).chmod(mode)
        elif path.exists():
            Path(tmp).chmod(path.stat().st_mode & 0o7777)
        else:
            Path(tmp).chmod(0o644)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, content: str, mode: int | None = None) -> bool:
    """Write `content` unless the file already holds it; True when it was written."""
    try:
        if path.read_text(encoding="utf-8") == content:
            return False
    except (OSError, UnicodeDecodeError):
        pass  # unreadable counts as different: writing says what is wrong, if anything
    write_atomic(path, content, mode)
    return True


def contents_digest(
    paths: Iterable[Path], *, values: object = None, name: Callable[[Path], str] = str
) -> str:
    """One digest of `values` (anything JSON can write) and of the files' names and
    contents (a missing or unreadable file counts as missing): to tell whether what some
    work read has changed since it was done. `name` says what of each path counts (as
    given by default; its name alone, or relative to a root, to survive a move)."""
    h = hashlib.sha256()
    if values is not None:
        h.update(_json(values) + b"\0")
    for path in paths:
        h.update(name(path).encode() + b"\0")
        try:
            h.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            h.update(b"missing")
    return h.hexdigest()


def values_digest(values: object) -> str:
    """A digest of anything JSON can write (mapping keys sorted)."""
    return hashlib.sha256(_json(values)).hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of one file's content; "" when it is missing or unreadable."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _json(values: object) -> bytes:
    return json.dumps(values, sort_keys=True).encode()
