"""create-addon against a real Plone, natively: the new add-on answers and its tests pass.

One project runs for the module; create-addon adds acme.hello to it like a developer
would, then the add-on's view is asked over HTTP and its generated pytest-plone tests run
in the backend's environment.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.integration.plone_project import PlonedevProject, make_native_init_project

pytestmark = pytest.mark.slow

ADDON = "acme.hello"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlonedevProject]:
    project = make_native_init_project(tmp_path_factory.mktemp("create"))
    project.run("up")
    yield project
    project.run("down", check=False)


@pytest.fixture(scope="module")
def created(project: PlonedevProject) -> PlonedevProject:
    started = time.monotonic()
    done = project.run("create-addon", ADDON)
    print(f"\ncreate-addon {ADDON}: {time.monotonic() - started:.1f} s until it returned")
    assert "hello-hello" in done.stdout
    return project


def test_the_new_addon_answers_on_the_site(created: PlonedevProject) -> None:
    status, body = created.request(
        "GET", f"{created.backend}/Plone/@@hello-hello", accept="text/plain"
    )
    assert (status, body) == (200, f"Hello from {ADDON}")
    mx_ini = created.root.joinpath("mx.ini").read_text()
    assert f"[{ADDON}]" in mx_ini and "vcs = fs" in mx_ini
    status, body = created.request("GET", f"{created.backend}/Plone/@addons/{ADDON}", auth=True)
    assert status == 200 and '"is_installed": true' in body


def test_its_generated_tests_pass_in_the_backend_environment(created: PlonedevProject) -> None:
    python = created.root / ".plonedev" / "venv" / "bin" / "python"
    done = subprocess.run(  # as the README says: the venv's pytest on the add-on's folder
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", f"sources/{ADDON}"],
        cwd=created.root,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout


def test_an_existing_folder_is_refused(created: PlonedevProject) -> None:
    before = created.root.joinpath("mx.ini").read_text()
    done = created.run("create-addon", ADDON, check=False)
    assert done.returncode != 0
    assert "exists already" in done.stdout + done.stderr
    assert created.root.joinpath("mx.ini").read_text() == before
