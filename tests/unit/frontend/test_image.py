from __future__ import annotations

import json
from pathlib import Path

from plonedev.config import PlonedevConfig
from plonedev.frontend.image import build_args, write_build_files
from plonedev.frontend.volto import DROPPED_DEV_DEPENDENCIES
from plonedev.render.owned import WriteOutcome


def test_the_build_files_are_plonedevs_until_the_user_takes_them(tmp_path: Path) -> None:
    written = write_build_files(tmp_path)
    assert [(f.path.name, f.outcome) for f in written] == [
        ("Dockerfile", WriteOutcome.WRITTEN),
        (".dockerignore", WriteOutcome.WRITTEN),
    ]
    dockerfile = (tmp_path / "Dockerfile").read_text()
    assert "razzle build" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "/ok" in dockerfile
    assert "**/node_modules" in (tmp_path / ".dockerignore").read_text().splitlines()
    assert {f.outcome for f in write_build_files(tmp_path)} == {WriteOutcome.UNCHANGED}

    mine = "FROM scratch\n"
    (tmp_path / "Dockerfile").write_text(mine)
    outcomes = {f.path.name: f.outcome for f in write_build_files(tmp_path)}
    assert outcomes["Dockerfile"] is WriteOutcome.USER_OWNED
    assert (tmp_path / "Dockerfile").read_text() == mine


def test_the_build_uses_the_configured_node_image() -> None:
    config = PlonedevConfig.model_validate({"images": {"node": "registry.local/node:22"}})
    args = build_args(config)
    assert args["NODE_IMAGE"] == "registry.local/node:22"
    assert json.loads(args["PLONEDEV_DROPPED"]) == list(DROPPED_DEV_DEPENDENCIES)
