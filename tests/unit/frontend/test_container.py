from __future__ import annotations

import json
from pathlib import Path

from plonedev.config import PlonedevConfig
from plonedev.frontend.container import INSTALL_JOB, NODE_MODULES_VOLUME, frontend_container
from plonedev.frontend.volto import DROPPED_DEV_DEPENDENCIES
from plonedev.model import CommandCheck, Mount
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from plonedev.render.compose import ComposeInputs, ImageBuild, compose_document
from plonedev.render.containers import BACKEND_BUILD


def _config() -> PlonedevConfig:
    return PlonedevConfig.model_validate(
        {
            "name": "shop",
            "frontend": "web",
            "site-id": "Site",
            "ports": {"frontend": 3100},
            "images": {"node": "node:22-slim"},
        }
    )


def test_the_dev_server_runs_in_the_node_image_after_its_install_job(tmp_path: Path) -> None:
    container = frontend_container(_config(), ProjectPaths(tmp_path))
    web = str(tmp_path / "web")
    assert container.image == "node:22-slim"
    # The same absolute path inside: pnpm's links and shims mean the same on both sides.
    assert container.mounts == (
        Mount("web", web, "bind"),
        Mount(NODE_MODULES_VOLUME, f"{web}/node_modules"),
    )
    assert f'cd "{web}/core/packages/volto"' in container.command[-1]
    assert container.env["RAZZLE_DEV_PROXY_API_PATH"] == "http://backend:8080/Site"
    assert container.env["RAZZLE_INTERNAL_API_PATH"] == "http://backend:8080/Site"
    assert container.env["CLIENT_PUBLIC_PATH"] == "http://127.0.0.1:3101/"
    assert container.env["VOLTOCONFIG"] == f"{web}/volto.config.js"
    # In the node_modules volume, which outlives the container.
    assert container.env["PLONEDEV_WEBPACK_CACHE"] == f"{web}/node_modules/.plonedev-webpack-cache"
    assert dict(container.ports) == {"frontend": 3100, "frontend-assets": 3101}
    assert isinstance(container.health, CommandCheck)
    assert "process.env.PORT" in container.health.argv[-1]  # dev server and image alike
    assert container.env["PORT"] == "3100"

    (job,) = container.jobs
    assert job.name == INSTALL_JOB
    assert f"{web}/core/packages/plonedev-volto-dev/install.cjs" in job.command[-1]
    assert json.loads(job.env["PLONEDEV_DROPPED"]) == list(DROPPED_DEV_DEPENDENCIES)
    assert job.mounts == container.mounts
    assert [secret.name for secret in job.secrets] == ["ca"]


def test_compose_starts_the_frontend_after_the_backend_and_the_install(tmp_path: Path) -> None:
    paths = ProjectPaths(tmp_path)
    project = build_project(_config(), paths, native_programs=False)
    build = ImageBuild(tmp_path, tmp_path / "Dockerfile", "dev")
    document = compose_document(ComposeInputs(project, paths.compose_dir, {BACKEND_BUILD: build}))
    frontend = document["services"]["frontend"]
    assert frontend["depends_on"] == {
        "backend": {"condition": "service_healthy"},
        INSTALL_JOB: {"condition": "service_completed_successfully"},
    }
    assert [(p["published"], p["target"]) for p in frontend["ports"]] == [
        ("3100", 3100),
        ("3101", 3101),
    ]
    assert {p["host_ip"] for p in frontend["ports"]} == {"127.0.0.1"}
    assert frontend["volumes"][0]["source"] == "../web"
    assert NODE_MODULES_VOLUME in document["volumes"]
    assert document["services"][INSTALL_JOB]["restart"] == "no"
