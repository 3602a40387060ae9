"""The Compose backend environment's pure parts: which files a change keeps, the image's
tags, uv's explanation out of a failed build, the ZCML includes in the container's
instance (the real builds run in tests/integration/test_addons_compose.py)."""

from __future__ import annotations

from pathlib import Path

from plonedev.addons.build_output import explain
from plonedev.addons.docker_environment import DockerEnvironment, _split
from plonedev.addons.environment import NativeEnvironment
from plonedev.errors import PlonedevError, ServiceError
from plonedev.project_setup.find_project import open_project
from plonedev.render import backend_image as image
from plonedev.runtime.docker_compose import compose_error
from plonedev.runtimes.registry import runtime_kind
from tests.conftest import write_pyproject


def test_each_runtime_has_its_environment(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'name = "shop"\n')
    context = open_project(tmp_path)
    docker = runtime_kind("docker").environment(context)
    assert isinstance(docker, DockerEnvironment)
    assert docker.recreates_backend
    assert docker.description == "the backend image shop-backend:dev"
    native = runtime_kind("native").environment(context)
    assert isinstance(native, NativeEnvironment)
    assert not native.recreates_backend


def test_a_change_keeps_the_image_inputs_instance_and_compose_file(tmp_path: Path) -> None:
    write_pyproject(tmp_path, 'name = "shop"\nstorage = "zeo"\n')
    context = open_project(tmp_path)
    files = {str(path.relative_to(tmp_path)) for path in DockerEnvironment(context).files(context)}
    docker = ".plonedev/docker"
    assert {
        f"{docker}/requirements.txt",
        f"{docker}/sources-editable.txt",
        f"{docker}/build-backend.json",  # the build record: current again once restored
        f"{docker}/instance/etc/site.zcml",
        f"{docker}/instance/zeo/zeo.conf",
        "compose/Dockerfile",
        "compose/compose.yaml",
    } <= files
    # What runs is recorded by `up` itself: restoring it would hide the recreation.
    assert not any(name.startswith(".plonedev/run") for name in files)


def test_the_container_instance_includes_the_configured_zcml(tmp_path: Path) -> None:
    write_pyproject(tmp_path, "")
    config = open_project(tmp_path).config
    assert '<include package="plain_addon" />' not in image.instance_files(config)["etc/site.zcml"]
    write_pyproject(tmp_path, 'zcml-includes = ["plain_addon"]\n')
    config = open_project(tmp_path).config
    assert '<include package="plain_addon" />' in image.instance_files(config)["etc/site.zcml"]


def test_image_references_split_into_repository_and_tag() -> None:
    assert _split("shop-backend:dev") == ("shop-backend", "dev")
    assert _split("registry:5000/shop/backend") == ("registry:5000/shop/backend", "latest")
    assert _split("registry:5000/shop:1.2") == ("registry:5000/shop", "1.2")


def test_a_failed_build_says_what_uv_said() -> None:
    lines = [
        "#11 [dev 2/2] RUN uv pip install -r requirements.txt",
        "#11 1.204   × No solution found when resolving dependencies:",
        "#11 1.204   ╰─▶ Because you require collective-monkeypatcher==1.2.1 and",
        "#11 1.204       collective-monkeypatcher==3.0.0, we can conclude that your",
        "#11 1.204       requirements are unsatisfiable.",
        "#11 ERROR: process did not complete successfully: exit code: 1",
    ]
    error = explain(ServiceError("docker compose could not build: exit code: 1"), lines)
    assert error.message == (
        "the image build failed: uv: × No solution found when resolving dependencies: "
        "╰─▶ Because you require collective-monkeypatcher==1.2.1 and "
        "collective-monkeypatcher==3.0.0, we can conclude that your "
        "requirements are unsatisfiable."
    )
    plain = PlonedevError("the Docker engine does not answer")
    assert explain(plain, ["#1 [internal] load build definition"]) is plain


def test_a_failed_build_is_no_pull_failure_for_naming_its_base_image() -> None:
    output = (
        "#3 [internal] load metadata for docker.io/plonedev-test/python:3.11\n#3 DONE 0.0s\n"
        "failed to solve: process did not complete successfully: exit code: 1"
    )
    error = compose_error("build the backend image", output)
    assert "could not be pulled" not in error.message
