"""add-addon and remove-addon against a real Plone in Docker Compose.

One Compose project runs for the module (the stand-in images of test_compose.py). What a
test adds, it removes again. The add-ons are those of test_addons_native.py: a release
from the package index, and the demo add-on served from a git repository the tests
create (without its plone.autoinclude entry point, so the container's Zope needs a ZCML
include). A failed add leaves the user's files byte for byte, the backend answering, and
the backend on the very image it ran before.
"""

from __future__ import annotations

import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from plonedev.commands.init import MX_INI
from tests.integration.plone_project import PlonedevProject, make_project
from tests.integration.test_addons_native import (  # the same checks as natively
    DEMO,
    _config,
    _content_ids,
    _listed,
    _site_addon,
    demo_repo,  # noqa: F401 (a fixture)
)
from tests.integration.test_compose import IMAGES, stand_in_images  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.docker, pytest.mark.slow]

INDEX_ADDON = "collective.contact_behaviors"
INDEX_VERSION = "1.0.0b6"
INDEX_PROFILE = "collective.contact_behaviors:default"


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory,
    stand_in_images: list[str],  # noqa: F811 (the fixture imported above)
) -> Iterator[PlonedevProject]:
    name = f"pdt-addons-{secrets.token_hex(3)}"
    stand_in_images.append(f"{name}-backend:dev")
    images = "\n".join(f'{key} = "{value}"' for key, value in IMAGES.items())
    project = make_project(
        tmp_path_factory.mktemp("addons-compose"),
        f'name = "{name}"\nruntime = "docker"\n\n[tool.plonedev.images]\n{images}\n',
        with_demo=False,
    )
    # As `plonedev init` leaves a project: an mx.ini with comments, an empty sources/.
    project.root.joinpath("mx.ini").write_text(MX_INI)
    project.root.joinpath("sources").mkdir()
    project.root.joinpath("sources", ".gitkeep").touch()
    project.run("up")
    yield project
    project.run("down", "--volumes", "--yes", check=False)


def test_an_addon_from_the_index_is_built_into_the_image_and_removed(
    project: PlonedevProject,
) -> None:
    pyproject_before = project.root.joinpath("pyproject.toml").read_bytes()

    added = project.run("add-addon", f"{INDEX_ADDON}=={INDEX_VERSION}")
    assert f"{INDEX_PROFILE} installed in 'Plone'" in added.stdout, added.stdout
    assert _config(project)["addons"] == [f"{INDEX_ADDON}=={INDEX_VERSION}"]
    assert _site_addon(project, INDEX_ADDON)["is_installed"] is True
    listed = _listed(project)[INDEX_ADDON]
    assert (listed["installed"], listed["profile"]) == (INDEX_VERSION, "installed")

    # A profile in the config that the (existing) site lacks, as after a teammate added
    # it: `up` installs it, and only it.
    _post(project, f"@addons/{INDEX_ADDON}/uninstall")
    assert _site_addon(project, INDEX_ADDON)["is_installed"] is False
    up = project.run("up")
    assert f"Installed the profile {INDEX_PROFILE}" in up.stdout, up.stdout
    assert _site_addon(project, INDEX_ADDON)["is_installed"] is True

    removed = project.run("remove-addon", INDEX_ADDON)
    assert f"{INDEX_PROFILE} uninstalled from 'Plone'" in removed.stdout, removed.stdout
    assert "collective.contact_behaviors" in removed.stdout  # named as uninstalled
    assert project.root.joinpath("pyproject.toml").read_bytes() == pyproject_before
    assert _site_addon(project, INDEX_ADDON).get("is_installed") is not True
    assert INDEX_ADDON not in _listed(project)


def test_a_git_source_is_included_in_zcml_in_the_container_and_removed(
    project: PlonedevProject,
    demo_repo: Path,  # noqa: F811 (the fixture imported above)
) -> None:
    before = _files(project)

    added = project.run("add-addon", DEMO, "--git", str(demo_repo))
    assert "plonedev_demo:default installed in 'Plone'" in added.stdout, added.stdout
    assert (project.root / "sources" / DEMO / ".git").is_dir()
    assert _config(project)["zcml-includes"] == ["plonedev_demo"]
    site_zcml = project.root / ".plonedev" / "docker" / "instance" / "etc" / "site.zcml"
    assert '<include package="plonedev_demo" />' in site_zcml.read_text()
    status, body = project.request(
        "GET", f"{project.backend}/Plone/@@demo-hello", accept="text/plain"
    )
    assert (status, body) == (200, "Hello from plonedev-demo: hello")
    assert _site_addon(project, "plonedev_demo")["is_installed"] is True

    project.run("remove-addon", DEMO)
    assert _files(project) == before
    status, _ = project.request("GET", f"{project.backend}/Plone/@@demo-hello")
    assert status == 404


FAILURES = {
    # The build fails: the image never changes.
    "version conflict": (
        ["collective.monkeypatcher==1.2.1"],
        "collective-monkeypatcher==3.0.0",  # the constraints' pin, named by uv
    ),
    # The image is built and the backend recreated from it, and it does not start: the
    # previous image is tagged back and the backend recreated from it again.
    "backend does not start": (
        [DEMO, "--git", "{repo}", "--branch", "broken"],
        "the backend does not start with plonedev-demo",
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_a_failed_add_changes_nothing_and_keeps_the_image(
    project: PlonedevProject,
    demo_repo: Path,  # noqa: F811 (the fixture imported above)
    case: str,
) -> None:
    arguments, message = FAILURES[case]
    before = _files(project)
    image = _backend_image(project)
    created = _content_ids(project)

    failed = project.run(
        "add-addon", *(a.replace("{repo}", str(demo_repo)) for a in arguments), check=False
    )

    assert failed.returncode != 0
    error = " ".join(failed.stderr.split())  # rich wraps long lines
    assert message in error, error
    assert "add-addon rolled back: restored pyproject.toml" in error
    assert _files(project) == before
    assert _backend_image(project) == image
    status, _ = project.request("GET", f"{project.backend}/Plone/++api++")
    assert status == 200
    assert _content_ids(project) == created


# -- helpers -----------------------------------------------------------------------------


def _files(project: PlonedevProject) -> dict[str, bytes]:
    """The user's files and sources/, byte for byte."""
    root = project.root
    files = {name: root.joinpath(name).read_bytes() for name in ("pyproject.toml", "mx.ini")}
    for path in sorted(root.joinpath("sources").rglob("*")):
        files[str(path.relative_to(root))] = path.read_bytes() if path.is_file() else b"/"
    return files


def _backend_image(project: PlonedevProject) -> str:
    """The image id the backend container runs."""
    name = _config(project)["name"]
    container = subprocess.run(
        ["docker", "compose", "-p", name, "ps", "-q", "backend"],
        capture_output=True,
        text=True,
        check=True,
        cwd=project.root / "compose",
    ).stdout.strip()
    assert container
    inspected = subprocess.run(
        ["docker", "inspect", "--format", "{{.Image}}", container],
        capture_output=True,
        text=True,
        check=True,
    )
    return inspected.stdout.strip()


def _post(project: PlonedevProject, path: str) -> None:
    status, body = project.request("POST", f"{project.backend}/Plone/{path}", {}, auth=True)
    assert status < 300, body
