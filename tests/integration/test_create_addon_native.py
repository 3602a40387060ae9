"""create-addon against a real Plone, natively: the new add-on answers and its tests pass.

One project runs for the module; create-addon adds acme.hello to it like a developer
would, then the add-on's view is asked over HTTP and its generated pytest-plone tests run
in the backend's environment.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from plonedev.runtime.ports import free_port
from tests.integration.plone_project import PlonedevProject, make_native_init_project
from tests.integration.terminal import debug_adapter_answers, terminal

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


def test_plonedev_test_runs_the_tests_and_exits_with_their_code(created: PlonedevProject) -> None:
    done = created.run("test", ADDON, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout
    failing = created.root / "sources" / ADDON / "src" / "acme" / "hello" / "tests" / "test_no.py"
    failing.write_text("def test_made_to_fail():\n    assert 1 == 2\n")
    try:
        done = created.run("test", ADDON, "--", "-q", check=False)
    finally:
        failing.unlink()
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 failed, 4 passed" in done.stdout


def test_plonedev_test_cov_measures_the_addon(created: PlonedevProject) -> None:
    done = created.run("test", "--cov", "--", "-q", check=False)  # all add-ons: this one
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "src/acme/hello/browser/" in done.stdout and "TOTAL" in done.stdout


def test_a_test_path_that_does_not_exist_is_one_line(created: PlonedevProject) -> None:
    done = created.run("test", ADDON, "--", "tests/test_nope.py", check=False)
    assert done.returncode not in (0, 1)  # not the tests' own failure: nothing ran
    assert "has no test path 'tests/test_nope.py'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_piped_console_input_prints_the_site_title(created: PlonedevProject) -> None:
    done = created.piped("print(site.title)\nprint(app.acl_users.getUser('admin'))\n", "console")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [created.site_title(), "admin"]
    assert "read-only" in done.stderr  # the running backend holds the FileStorage


def test_run_changes_the_title_for_good_and_passes_the_exit_code(
    created: PlonedevProject,
) -> None:
    script = created.root / "retitle.py"
    script.write_text(
        "import sys\nimport transaction\n\n"
        "site.setTitle(sys.argv[1])\ntransaction.commit()\nsys.exit(int(sys.argv[2]))\n"
    )
    done = created.run("run", "retitle.py", "Retitled by run", "3", check=False)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "Stopping the backend" in done.stderr
    # The backend `run` started again after the script reads it from Data.fs.
    assert created.site_title() == "Retitled by run"


def test_debug_stops_at_a_breakpoint_and_gives_the_backend_back(
    created: PlonedevProject,
) -> None:
    """Near the end of the module: the backend runs in a terminal, then supervised again."""
    view = created.root / "sources" / ADDON / "src" / "acme" / "hello" / "browser" / "hello.py"
    original = view.read_text()
    stop = "        breakpoint()\n        self.request"
    view.write_text(original.replace("        self.request", stop, 1))
    url = f"{created.backend}/Plone/@@hello-hello"
    answers: list[tuple[int, str]] = []
    try:
        with terminal(f"{sys.executable} -m plonedev debug", created.root) as screen:
            # The backend in the terminal (the supervised one answers until debug stops it).
            screen.wait_for_text("Serving on")
            request = threading.Thread(
                target=lambda: answers.append(created.request("GET", url, accept="text/plain"))
            )
            request.start()
            screen.wait_for_text("(Pdb)")
            assert answers == []  # the request waits at the breakpoint
            screen.keys("c", "Enter")
            request.join(timeout=60)
            assert answers == [(200, f"Hello from {ADDON}")]
            view.write_text(original)
            screen.keys("C-c")
            screen.wait_for_text("exited-")
    finally:
        view.write_text(original)
    _assert_supervised_again(created, url)


def test_debug_debugpy_lets_an_ide_attach(created: PlonedevProject) -> None:
    port = free_port()
    url = f"{created.backend}/Plone/@@hello-hello"
    command = f"{sys.executable} -m plonedev debug --debugpy --port {port}"
    with terminal(command, created.root) as screen:
        screen.wait_for_text("Serving on")
        assert debug_adapter_answers(port), screen.screen()
        assert created.request("GET", url, accept="text/plain")[0] == 200
        screen.keys("C-c")
        screen.wait_for_text("exited-")
    _assert_supervised_again(created, url)


def _assert_supervised_again(project: PlonedevProject, url: str) -> None:
    # The supervised backend again, as `up` runs it: in the background, in `status`.
    status = json.loads(project.run("status", "--json").stdout)
    backend = next(s for s in status["services"] if s["name"] == "backend")
    assert backend["state"] == "running"
    assert project.request("GET", url, accept="text/plain") == (200, f"Hello from {ADDON}")
