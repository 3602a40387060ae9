"""Build the backend image only when what it is made of changed.

The development image holds the dependencies and the add-ons' metadata, never their
code (bind-mounted): a digest of the Dockerfile, its ignore file, the requirements,
the scripts, the add-ons' build files (pyproject.toml, setup.py, setup.cfg) and the
build arguments decides. A code-only change therefore starts no build at all, not even
a cached one. The digest and the built image's id are kept next to the inputs; an image
removed or rebuilt by hand is noticed by its id.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from plonedev.files import contents_digest, write_atomic

BUILD_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


@dataclass(frozen=True)
class BuildPlan:
    image: str
    digest: str
    stamp: Path


def build_inputs(files: Iterable[Path], source_dirs: Iterable[Path]) -> list[Path]:
    """The files whose content decides the image: `files` and the add-ons' build files."""
    inputs = list(files)
    for directory in source_dirs:
        inputs += [directory / name for name in BUILD_FILES if (directory / name).is_file()]
    return inputs


def build_digest(
    root: Path, inputs: Iterable[Path], args: Mapping[str, str], target: str, image: str
) -> str:
    return contents_digest(
        sorted(set(inputs)),
        values={"args": dict(args), "target": target, "image": image},
        name=lambda path: path.relative_to(root).as_posix(),
    )


def is_current(plan: BuildPlan, image_id: str | None) -> bool:
    """True when the image exists and was built by plonedev from the same inputs."""
    if image_id is None:
        return False
    try:
        record = json.loads(plan.stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(record, dict)
        and record.get("digest") == plan.digest
        and record.get("image_id") == image_id
    )


def record_build(plan: BuildPlan, image_id: str) -> None:
    payload = {"image": plan.image, "digest": plan.digest, "image_id": image_id}
    write_atomic(plan.stamp, json.dumps(payload, indent=1) + "\n")
