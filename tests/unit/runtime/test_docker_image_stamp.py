"""A build runs only when what the image is made of changed, never for a code change."""

from __future__ import annotations

import json
from pathlib import Path

from plonedev.runtime.docker_image_stamp import (
    BuildPlan,
    build_digest,
    build_inputs,
    is_current,
    record_build,
)


def _project(tmp_path: Path) -> tuple[Path, list[Path], Path]:
    requirements = tmp_path / ".plonedev" / "docker" / "requirements.txt"
    requirements.parent.mkdir(parents=True)
    requirements.write_text("Plone==6.2.2\n")
    addon = tmp_path / "sources" / "my.addon"
    (addon / "src" / "my_addon").mkdir(parents=True)
    (addon / "pyproject.toml").write_text('[project]\nname = "my.addon"\n')
    (addon / "src" / "my_addon" / "views.py").write_text("GREETING = 'hello'\n")
    return requirements, [requirements], addon


def _digest(root: Path, files: list[Path], addon: Path) -> str:
    return build_digest(root, build_inputs(files, [addon]), {"A": "1"}, "dev", "x:dev")


def test_code_changes_keep_the_digest_metadata_changes_do_not(tmp_path: Path) -> None:
    requirements, files, addon = _project(tmp_path)
    before = _digest(tmp_path, files, addon)
    (addon / "src" / "my_addon" / "views.py").write_text("GREETING = 'changed'\n")
    assert _digest(tmp_path, files, addon) == before
    (addon / "pyproject.toml").write_text('[project]\nname = "my.addon"\nversion = "2"\n')
    assert _digest(tmp_path, files, addon) != before
    after_metadata = _digest(tmp_path, files, addon)
    requirements.write_text("Plone==6.2.2\ncollective.bar\n")
    assert _digest(tmp_path, files, addon) != after_metadata


def test_build_args_and_target_are_part_of_the_digest(tmp_path: Path) -> None:
    _, files, addon = _project(tmp_path)
    inputs = build_inputs(files, [addon])
    base = build_digest(tmp_path, inputs, {"A": "1"}, "dev", "x:dev")
    assert build_digest(tmp_path, inputs, {"A": "2"}, "dev", "x:dev") != base
    assert build_digest(tmp_path, inputs, {"A": "1"}, "prod", "x:dev") != base


def test_current_only_with_the_same_digest_and_the_same_image(tmp_path: Path) -> None:
    plan = BuildPlan("x:dev", "d1", tmp_path / "build-backend.json")
    assert not is_current(plan, "sha256:1")  # never built
    record_build(plan, "sha256:1")
    assert json.loads(plan.stamp.read_text())["image_id"] == "sha256:1"
    assert is_current(plan, "sha256:1")
    assert not is_current(plan, None)  # the image was removed
    assert not is_current(plan, "sha256:2")  # rebuilt by hand
    assert not is_current(BuildPlan("x:dev", "d2", plan.stamp), "sha256:1")
