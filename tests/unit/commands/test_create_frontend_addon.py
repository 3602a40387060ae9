"""create-addon --frontend on a project whose runtime is a fake: what it writes, what it
asks pnpm and the runtime for, and that bad input or a failed restart leaves nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from plonedev.commands import create_frontend_addon as command
from plonedev.errors import PlonedevError, ServiceError
from plonedev.frontend import frontend_files, write_frontend
from plonedev.frontend.install import FrontendInstall
from plonedev.report import QuietReporter
from tests.conftest import run_plonedev
from tests.unit.commands.conftest import FakeProject
from tests.unit.commands.fakes import RecordingRuntime

ADDON = "volto-todo"
PAGE = f"<html><h1>Hello from {ADDON}</h1></html>"


@pytest.fixture
def frontend(fake: FakeProject) -> Path:
    folder = fake.root / "frontend"
    write_frontend(folder, frontend_files("demo"))
    fake.configure('frontend = "frontend"')
    return folder


def _installed(frontend: Path) -> None:
    """What an earlier `up` leaves: node_modules with the record of its install."""
    (frontend / "node_modules").mkdir()
    (frontend / "node_modules" / ".plonedev-install.json").write_text('{"digest": "x"}\n')
    (frontend / "pnpm-lock.yaml").write_text("lockfileVersion: '9.0'\n")


@pytest.fixture
def pnpm(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """prepare.frontend recorded: what package.json says when pnpm would run."""
    calls: list[dict[str, Any]] = []

    def install(context: Any, reporter: Any, *, new_dependency: bool = False) -> FrontendInstall:
        manifest = json.loads((context.paths.root / "frontend" / "package.json").read_text())
        calls.append({"new_dependency": new_dependency, "dependencies": manifest["dependencies"]})
        (context.paths.root / "frontend" / "pnpm-lock.yaml").write_text("changed by pnpm\n")
        return FrontendInstall(True, 1.5, "package files changed", "18.33.0")

    monkeypatch.setattr(command.prepare, "frontend", install)
    return calls


def test_it_writes_registers_installs_and_restarts_the_running_dev_server(
    fake: FakeProject, frontend: Path, pnpm: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _installed(frontend)
    fake.runtime.alive = {"backend", "frontend"}
    asked: list[str] = []
    monkeypatch.setattr(
        command, "fetch_page", lambda url, timeout: (asked.append(url), (200, PAGE))[1]
    )
    result = command.create_frontend_addon(fake.root, ADDON, QuietReporter())

    folder = frontend / "packages" / ADDON
    assert result.folder == folder and result.files == 4
    assert (folder / "src" / "components" / "Hello.jsx").is_file()
    manifest = json.loads((frontend / "package.json").read_text())
    assert manifest["dependencies"][ADDON] == "workspace:*"
    assert "addons: ['volto-demo', 'volto-todo']," in (frontend / "volto.config.js").read_text()
    # pnpm ran once the files were there, allowed to change the lockfile.
    assert pnpm == [{"new_dependency": True, "dependencies": manifest["dependencies"]}]
    assert fake.runtime.calls == ["restart frontend"]
    port = fake.config().get("ports", {}).get("frontend", 3000)
    assert asked == [f"http://127.0.0.1:{port}/hello-{ADDON}"] == [result.page]
    assert result.restarted and result.page_shown and not result.warnings
    assert [step.key for step in result.steps] == ["install", "restart", "page"]


def test_with_nothing_installed_or_running_it_leaves_both_to_up(
    fake: FakeProject, frontend: Path, pnpm: list[dict[str, Any]]
) -> None:
    result = command.create_frontend_addon(fake.root, ADDON, QuietReporter())
    assert (frontend / "packages" / ADDON / "src" / "index.js").is_file()
    assert pnpm == [] and fake.runtime.calls == []
    assert "`plonedev up` installs" in result.installed
    assert not result.restarted


def test_a_page_without_the_greeting_warns(
    fake: FakeProject, frontend: Path, pnpm: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _installed(frontend)
    fake.runtime.alive = {"frontend"}
    monkeypatch.setattr(command, "fetch_page", lambda url, timeout: (503, "backend down"))
    result = command.create_frontend_addon(fake.root, ADDON, QuietReporter())
    assert not result.page_shown
    assert "answered 503 without 'Hello from volto-todo'" in result.warnings[0]


def test_a_dev_server_that_does_not_start_rolls_everything_back(
    fake: FakeProject, frontend: Path, pnpm: list[dict[str, Any]]
) -> None:
    _installed(frontend)
    fake.runtime.alive = {"backend", "frontend"}
    fake.runtime.fail["frontend"] = "Module not found: volto-todo"
    before = fake.snapshot()
    with pytest.raises(ServiceError) as raised:
        command.create_frontend_addon(fake.root, ADDON, QuietReporter())
    message = raised.value.message
    assert message.startswith("frontend exited during start-up")
    assert "create-addon rolled back: restored frontend/package.json" in message
    assert "removed frontend/packages/volto-todo" in message
    assert "frontend restarted on the previous add-ons" in message
    # The files byte for byte (pnpm's lockfile too), the install left for the next `up`.
    after = fake.snapshot()
    del before["frontend/node_modules/.plonedev-install.json"]
    assert after == before
    assert fake.runtime.calls == ["restart frontend", "restart frontend"]
    assert "frontend" in fake.runtime.alive  # running again, on the previous add-ons


def test_with_compose_the_install_job_links_it_in(
    fake: FakeProject, frontend: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs: list[str] = []

    class ComposeRuntime(RecordingRuntime):
        def run_job(self, project: Any, job: str, timeout: float = 1800) -> None:
            jobs.append(job)

    runtime = ComposeRuntime(name="docker", alive={"backend", "frontend"})
    monkeypatch.setattr(command, "DockerRuntime", ComposeRuntime)
    monkeypatch.setattr(fake, "runtime", runtime)
    monkeypatch.setattr(command, "fetch_page", lambda url, timeout: (200, PAGE))
    result = command.create_frontend_addon(fake.root, ADDON, QuietReporter())
    assert jobs == ["frontend-install"] and runtime.calls == ["restart frontend"]
    assert result.installed == "frontend-install" and result.page_shown


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Volto-Todo", "'Volto-Todo' is not an npm package name"),
        ("volto-demo", "frontend/packages/volto-demo exists already"),
        ("@acme/volto-demo", "frontend/packages/volto-demo exists already"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    fake: FakeProject, frontend: Path, name: str, message: str
) -> None:
    before = _tree(fake.root)
    done = run_plonedev(fake.root, "create-addon", "--frontend", name)
    assert done.returncode != 0
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert _tree(fake.root) == before


def test_a_name_registered_without_its_folder_is_refused(fake: FakeProject, frontend: Path) -> None:
    config = frontend / "volto.config.js"
    config.write_text(config.read_text().replace("'volto-demo'", "'volto-demo', 'volto-todo'"))
    before = _tree(fake.root)
    with pytest.raises(PlonedevError, match="lists volto-todo in addons already"):
        command.create_frontend_addon(fake.root, ADDON, QuietReporter())
    assert _tree(fake.root) == before


def test_a_project_without_a_frontend_is_one_line(fake: FakeProject) -> None:
    before = _tree(fake.root)
    done = run_plonedev(fake.root, "create-addon", "--frontend", ADDON)
    assert done.returncode != 0
    assert "this project has no frontend" in done.stderr and "add-frontend" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert _tree(fake.root) == before
