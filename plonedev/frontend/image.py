"""The frontend's production image: Volto's production build, served by `start:prod`.

plonedev/templates/frontend/Dockerfile, built from the frontend folder with its own
ignore file (BuildKit reads <Dockerfile>.dockerignore next to the Dockerfile): no
Dockerfile is written into the user's project. The build runs the same installer as
the Docker runtime's install job (core/packages/plonedev-volto-dev/install.cjs), then
`razzle build`; the image runs build/server.js on port 3000 and checks /ok.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

from plonedev.config import PlonedevConfig
from plonedev.frontend.layout import VOLTO_VERSION, frontend_paths
from plonedev.frontend.volto import DROPPED_DEV_DEPENDENCIES, ensure_dev_tools
from plonedev.paths import ProjectPaths

PORT = 3000  # inside the image
PROD_TARGET = "prod"
BUILD_FILES = ("Dockerfile", "Dockerfile.dockerignore")


def build_files() -> dict[str, str]:
    """The Dockerfile and its ignore file, by name."""
    folder = resources.files("plonedev").joinpath("templates", "frontend")
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in BUILD_FILES}


def build_args(config: PlonedevConfig) -> dict[str, str]:
    return {
        "NODE_IMAGE": config.images.node,
        "PLONEDEV_VOLTO_DEFAULT": VOLTO_VERSION,
        "PLONEDEV_DROPPED": json.dumps(list(DROPPED_DEV_DEPENDENCIES)),
    }


def build_frontend_image(
    paths: ProjectPaths,
    config: PlonedevConfig,
    *,
    tag: str,
    ca_file: Path,
    labels: Mapping[str, str] | None = None,
    on_line: Callable[[str], None] | None = None,
) -> None:
    """Build the production image of the project's frontend as `tag` (BuildKit)."""
    from plonedev.runtime.image_build import build_image

    fpaths = frontend_paths(paths.root, config.frontend)
    ensure_dev_tools(fpaths)  # the installer and the launcher the build copies in
    with tempfile.TemporaryDirectory(prefix="plonedev-frontend-") as folder:
        for name, text in build_files().items():
            (Path(folder) / name).write_text(text, encoding="utf-8")
        build_image(
            fpaths.root,
            dockerfile=Path(folder) / "Dockerfile",
            target=PROD_TARGET,
            args=build_args(config),
            labels=labels,
            tag=tag,
            ca_file=ca_file,
            on_line=on_line,
        )
