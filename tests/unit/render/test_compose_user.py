"""The Compose frontend writes into the bind-mounted frontend/ as the user running plonedev.

Not as root (files a user cannot then change) unless plonedev itself runs as root, where
nothing changes: no `user` key, the install job's command as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from plonedev.config import PlonedevConfig
from plonedev.frontend import container as frontend_container
from plonedev.frontend.container import INSTALL_JOB, invoking_user
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from plonedev.render.compose import ComposeInputs, ImageBuild, compose_document
from plonedev.render.containers import BACKEND_BUILD


def _services(tmp_path: Path) -> dict[str, Any]:
    config = PlonedevConfig.model_validate({"name": "shop", "frontend": "web"})
    paths = ProjectPaths(tmp_path)
    project = build_project(config, paths, native_programs=False)
    build = ImageBuild(tmp_path, tmp_path / "Dockerfile", "dev")
    inputs = ComposeInputs(project, paths.compose_dir, {BACKEND_BUILD: build})
    services: dict[str, Any] = compose_document(inputs)["services"]
    return services


def _as(monkeypatch: pytest.MonkeyPatch, uid: int, gid: int) -> None:
    monkeypatch.setattr(frontend_container.os, "getuid", lambda: uid)
    monkeypatch.setattr(frontend_container.os, "getgid", lambda: gid)


def test_a_user_runs_the_dev_server_as_themselves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as(monkeypatch, 1001, 1002)
    assert invoking_user() == "1001:1002"
    services = _services(tmp_path)
    web = tmp_path / "web"
    frontend = services["frontend"]
    assert frontend["user"] == "1001:1002"
    # A uid the image does not know has no home: npm's cache goes in the volume.
    assert frontend["environment"]["HOME"] == f"{web}/node_modules/.plonedev-home"

    # The install job starts as root: Docker creates the named volume root-owned, and an
    # earlier run as root may have left files; it hands them over, then drops to the user.
    job = services[INSTALL_JOB]
    assert "user" not in job
    script = job["command"][-1]
    assert f'chown -R 1001:1002 "{web}"' in script
    assert script.index("chown") < script.index(
        "exec setpriv --reuid=1001 --regid=1002 --clear-groups node"
    )
    assert "$" not in script  # Compose would read it as a variable
    assert job["environment"]["HOME"] == f"{web}/node_modules/.plonedev-home"
    # The other services keep their images' users.
    assert all("user" not in s for name, s in services.items() if name != "frontend")


def test_root_keeps_the_images_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _as(monkeypatch, 0, 0)
    assert invoking_user() == ""
    services = _services(tmp_path)
    assert "user" not in services["frontend"]
    assert "HOME" not in services["frontend"]["environment"]
    script = services[INSTALL_JOB]["command"][-1]
    assert "setpriv" not in script and "chown" not in script
    assert script.endswith(
        f'exec node "{tmp_path / "web"}/core/packages/plonedev-volto-dev/'
        f'install.cjs" "{tmp_path / "web"}"'
    )
