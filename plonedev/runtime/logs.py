"""Read service log files: the last lines, or follow several files at once."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path

from plonedev.runtime.protocol import LogLine


def tail_lines(path: Path, count: int | None) -> list[str]:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            if count is None:
                return [line.rstrip("\n") for line in handle]
            return [line.rstrip("\n") for line in deque(handle, maxlen=count)]
    except FileNotFoundError:
        return []


def follow_logs(
    files: Mapping[str, Path], tail: int | None, poll: float = 0.2
) -> Iterator[LogLine]:
    """Yield the last `tail` lines of each file, then new lines as they are written."""
    offsets: dict[str, int] = {}
    for name, path in files.items():
        for text in tail_lines(path, tail if tail is not None else 10):
            yield LogLine(name, text)
        offsets[name] = path.stat().st_size if path.exists() else 0
    while True:
        quiet = True
        for name, path in files.items():
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            if size < offsets[name]:  # truncated or replaced: start over
                offsets[name] = 0
            if size == offsets[name]:
                continue
            with path.open("rb") as handle:
                handle.seek(offsets[name])
                chunk = handle.read()
            # Keep a partial last line for the next round.
            complete, _, _rest = chunk.rpartition(b"\n")
            if not complete and b"\n" not in chunk:
                continue
            offsets[name] += len(complete) + 1
            quiet = False
            for raw in complete.split(b"\n"):
                yield LogLine(name, raw.decode("utf-8", errors="replace"))
        if quiet:
            time.sleep(poll)
