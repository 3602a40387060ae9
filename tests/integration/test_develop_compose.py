"""The add-on dev loop in Docker Compose: create-addon, `plonedev test`, console and run.

One Compose project runs for the module (the stand-in images of test_compose.py). The
tests run in one-off containers of the backend image, the add-on mounted from sources/;
console and run share the running backend's volume (FileStorage).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import pytest

from plonedev.runtime.ports import free_port
from tests.integration.plone_project import PlonedevProject
from tests.integration.terminal import debug_adapter_answers, terminal
from tests.integration.test_compose import (  # noqa: F401 (a fixture)
    docker_project,
    stand_in_images,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow]

ADDON = "acme.hello"


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory,
    stand_in_images: list[str],  # noqa: F811 (the fixture imported above)
) -> Iterator[PlonedevProject]:
    docker = docker_project(
        tmp_path_factory.mktemp("develop-compose"), stand_in_images, "pdt-develop", with_demo=False
    )
    docker.run("up")
    docker.project.run("create-addon", ADDON, timeout=1800)
    yield docker.project
    docker.remove()


def test_the_created_addon_answers_in_the_container(project: PlonedevProject) -> None:
    status, body = project.request(
        "GET", f"{project.backend}/Plone/@@hello-hello", accept="text/plain"
    )
    assert (status, body) == (200, f"Hello from {ADDON}")


def test_plonedev_test_runs_in_a_container_and_exits_with_the_tests_code(
    project: PlonedevProject,
) -> None:
    done = project.run("test", ADDON, "--cov", check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout and "TOTAL" in done.stdout
    failing = project.root / "sources" / ADDON / "src" / "acme" / "hello" / "tests" / "test_no.py"
    failing.write_text("def test_made_to_fail():\n    assert 1 == 2\n")
    try:
        done = project.run("test", ADDON, "--", "-q", check=False)
    finally:
        failing.unlink()
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 failed, 4 passed" in done.stdout


def test_piped_console_input_prints_the_site_title(project: PlonedevProject) -> None:
    done = project.piped("print(site.title)\n", "console")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [project.site_title()]


def test_run_changes_the_title_for_good(project: PlonedevProject) -> None:
    script = project.root / "retitle.py"
    script.write_text(
        "import sys\nimport transaction\n\nsite.setTitle(sys.argv[1])\ntransaction.commit()\n"
    )
    done = project.run("run", "retitle.py", "Retitled in Compose", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert project.site_title() == "Retitled in Compose"


def test_debug_debugpy_in_a_container_lets_an_ide_attach(project: PlonedevProject) -> None:
    port = free_port()
    url = f"{project.backend}/Plone/@@hello-hello"
    command = f"{sys.executable} -m plonedev debug --debugpy --port {port}"
    with terminal(command, project.root) as screen:
        screen.wait_for_text("Serving on", timeout=300)
        assert debug_adapter_answers(port), screen.screen()
        assert project.request("GET", url, accept="text/plain") == (200, f"Hello from {ADDON}")
        screen.keys("C-c")
        screen.wait_for_text("exited-")
    status = json.loads(project.run("status", "--json").stdout)
    backend = next(s for s in status["services"] if s["name"] == "backend")
    assert backend["state"] == "running"
    assert project.request("GET", url, accept="text/plain") == (200, f"Hello from {ADDON}")
