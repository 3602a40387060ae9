"""Everything a sync reads, and a fingerprint of it, so an unchanged project skips mxdev.

`plonedev up` syncs sources every time. When no source needs the network (filesystem
packages, offline, or `update = false` checkouts that exist) and none of the inputs
changed, the previous outputs are still right: importing and running mxdev would cost
~150-250 ms to write the same two files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.files import contents_digest
from plonedev.sources.mxini import SourceSpec

FORMAT = 1  # bump when the outputs change shape for the same inputs


@dataclass(frozen=True)
class Inputs:
    files: tuple[Path, ...]  # local requirement/constraint files, in reading order
    urls: tuple[str, ...]  # remote ones (read by mxdev, cached under out_dir)


def requirement_inputs(requirements_in: Path, root: Path) -> Inputs:
    """Follow -c/-r lines from `requirements_in` the way mxdev does.

    mxdev reads a missing file as empty (a typo in the constraints path would install
    Plone unpinned): here it is an error naming the file that refers to it.
    """
    files: list[Path] = []
    urls: list[str] = []

    def visit(path: Path) -> None:
        if path in files:
            return
        files.append(path)
        for ref in _references(path):
            if "://" in ref:
                urls.append(ref)
                continue
            # mxdev resolves these against its working directory, which is the root.
            target = root / ref
            if not target.is_file():
                raise PlonedevError(
                    f"{_shown(path, root)}: {ref}: file not found",
                    "fix the path (relative paths are relative to the project root)",
                )
            visit(target)

    if not requirements_in.is_file():
        raise PlonedevError(
            f"{requirements_in}: not found", "write it with render_requirements_in first"
        )
    visit(requirements_in)
    return Inputs(files=tuple(files), urls=tuple(urls))


def fingerprint(
    *,
    root: Path,
    out_dir: Path,
    offline: bool,
    inputs: Inputs,
    specs: Sequence[SourceSpec],
) -> str:
    parts: list[object] = [FORMAT, str(root), str(out_dir), offline, list(inputs.urls)]
    parts += [[str(s.path), s.path.exists()] for s in specs]
    return contents_digest([root / "mx.ini", *inputs.files], values=parts)


def _references(path: Path) -> list[str]:
    refs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        # The same test mxdev applies: the line starts with -c/-r, the path is the 2nd word.
        if line.startswith(("-c", "-r")):
            words = line.split(" ")
            if len(words) > 1 and words[1].strip():
                refs.append(words[1].strip())
    return refs


def _shown(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
