"""compose/compose.yaml from the service model: what a user reads in the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from plonedev.config import load_config
from plonedev.model_builder import build_project
from plonedev.paths import ProjectPaths
from plonedev.render.compose import ComposeInputs, ImageBuild, render_compose
from plonedev.render.containers import BACKEND_BUILD, ca_secret
from plonedev.render.owned import MARKER
from tests.conftest import write_pyproject


def _compose(tmp_path: Path, section: str) -> tuple[str, dict[str, Any]]:
    config = load_config(write_pyproject(tmp_path, section))
    paths = ProjectPaths(tmp_path)
    project = build_project(config, paths, native_programs=False)
    build = ImageBuild(
        context=tmp_path,
        dockerfile=tmp_path / "compose" / "Dockerfile",
        target="dev",
        args={"PYTHON_IMAGE": "python:3.11-slim"},
        secrets=(ca_secret(paths),),
    )
    text = render_compose(ComposeInputs(project, paths.compose_dir, {BACKEND_BUILD: build}))
    return text, yaml.safe_load(text)


def test_the_file_says_it_is_generated_and_where_changes_go(tmp_path: Path) -> None:
    text, document = _compose(tmp_path, "")
    first = text.splitlines()[0]
    assert MARKER in first
    assert "compose.override.yaml" in text.splitlines()[1]
    assert document["name"] == "demo"


@pytest.mark.parametrize(
    ("storage", "services"),
    [
        ("filestorage", ["site", "backend", "varnish"]),
        ("zeo", ["zeo", "site", "backend", "varnish"]),
        ("relstorage", ["postgres", "site", "backend", "varnish"]),
    ],
)
def test_one_service_per_model_service_and_the_site_job(
    tmp_path: Path, storage: str, services: list[str]
) -> None:
    _, document = _compose(tmp_path, f'storage = "{storage}"\nvarnish = true\n')
    assert list(document["services"]) == services
    backend = document["services"]["backend"]
    assert backend["depends_on"]["site"] == {"condition": "service_completed_successfully"}
    if storage != "filestorage":
        storage_service = services[0]
        assert backend["depends_on"][storage_service] == {"condition": "service_healthy"}
        # The site job needs the storage server too.
        assert document["services"]["site"]["depends_on"][storage_service] == {
            "condition": "service_healthy"
        }
    assert document["services"]["varnish"]["depends_on"] == {
        "backend": {"condition": "service_healthy"}
    }


def test_ports_are_published_on_loopback_only(tmp_path: Path) -> None:
    section = 'storage = "relstorage"\nvarnish = true\n[tool.plonedev.ports]\nbackend = 9081\n'
    _, document = _compose(tmp_path, section)
    published = [
        port for service in document["services"].values() for port in service.get("ports", [])
    ]
    assert published  # backend, postgres, varnish
    assert all(port["host_ip"] == "127.0.0.1" for port in published)
    assert {"target": 8080, "published": "9081", "host_ip": "127.0.0.1", "protocol": "tcp"} in (
        document["services"]["backend"]["ports"]
    )


def test_data_lives_in_named_volumes(tmp_path: Path) -> None:
    _, document = _compose(tmp_path, 'storage = "zeo"\n')
    assert set(document["volumes"]) == {"backend-data", "zeo-data"}
    zeo_mounts = document["services"]["zeo"]["volumes"]
    assert {"type": "volume", "source": "zeo-data", "target": "/data"} in zeo_mounts


def test_the_image_is_built_once_and_the_other_services_reuse_it(tmp_path: Path) -> None:
    _, document = _compose(tmp_path, 'storage = "zeo"\n')
    services = document["services"]
    assert services["backend"]["build"] == {
        "context": "..",
        "dockerfile": "compose/Dockerfile",
        "target": "dev",
        "args": {"PYTHON_IMAGE": "python:3.11-slim"},
        "secrets": ["ca"],
    }
    for name in ("zeo", "site"):
        assert "build" not in services[name]
        assert services[name]["pull_policy"] == "never"
        assert services[name]["image"] == services["backend"]["image"] == "demo-backend:dev"


def test_secrets_are_files_relative_to_the_compose_folder(tmp_path: Path) -> None:
    _, document = _compose(tmp_path, "")
    assert document["secrets"] == {
        "admin-password": {"file": "../var/admin-password"},
        "ca": {"file": "../.plonedev/docker/ca-bundle.pem"},
    }
    assert document["services"]["site"]["secrets"] == ["admin-password", "ca"]


def test_backend_stops_with_sigint_under_an_init(tmp_path: Path) -> None:
    _, document = _compose(tmp_path, "")
    backend = document["services"]["backend"]
    assert backend["stop_signal"] == "SIGINT"
    assert backend["init"] is True
    assert backend["healthcheck"]["test"][0] == "CMD"


def test_configured_images_are_used(tmp_path: Path) -> None:
    section = (
        'storage = "relstorage"\nvarnish = true\n[tool.plonedev.images]\n'
        'postgres = "registry.example/pg@sha256:abc"\nvarnish = "mirror/varnish:7"\n'
        'backend = "mirror/site-backend:1"\n'
    )
    _, document = _compose(tmp_path, section)
    services = document["services"]
    assert services["postgres"]["image"] == "registry.example/pg@sha256:abc"
    assert services["varnish"]["image"] == "mirror/varnish:7"
    assert services["backend"]["image"] == "mirror/site-backend:1"


def test_site_job_carries_the_site_settings(tmp_path: Path) -> None:
    section = 'site-id = "Site"\nprofiles = ["a.b:default", "c.d:extra"]\n'
    _, document = _compose(tmp_path, section)
    env = document["services"]["site"]["environment"]
    assert env["SITE_ID"] == "Site"
    assert env["SITE_PROFILES"] == "a.b:default c.d:extra"
    assert env["SITE_MARKER"] == "/data/.plonedev-site-Site"
    assert document["services"]["site"]["restart"] == "no"
