"""How the executor carries out actions: fallbacks, failures and recovery."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from plonedev.errors import ConfigError, PlonedevError, ServiceError
from plonedev.watch.executor import Executor, InstallSummary, Reconfiguration
from plonedev.watch.reload import BackendUnreachable, CodeReload, ReloadError
from plonedev.watch.rules import BACKEND, FRONTEND, PROJECT, VARNISH, Action, Do
from tests.unit.watch.fakes import ROOT, FakeRuntime, FakeWorkspace, project, service

PY = ROOT / "sources" / "demo" / "src" / "demo" / "greeting.py"
TRACEBACK = """\
2025-01-01 INFO [Zope:42] Ready to handle requests
--- plonedev: starting backend: runwsgi zope.ini
Traceback (most recent call last):
  File "greeting.py", line 7
    GREETING = "hello
               ^
SyntaxError: unterminated string literal (detected at line 7)"""


@pytest.fixture
def py_file(tmp_path: Path) -> Path:
    path = tmp_path / "greeting.py"
    path.write_text("GREETING = 'hi'\n")
    return path


def _executor(workspace: FakeWorkspace, runtime: FakeRuntime | None = None) -> Executor:
    ticks = itertools.count()
    return Executor(runtime or FakeRuntime(), workspace, clock=lambda: float(next(ticks)))


def test_a_reload_that_covers_every_changed_file_is_all_that_happens(py_file: Path) -> None:
    workspace = FakeWorkspace(project(service("backend")), [CodeReload((py_file,), 0.1)])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run([Action(BACKEND, Do.RELOAD_CODE, (py_file,))])
    assert outcome.ok
    assert outcome.summary == "reloaded 1 module"
    assert runtime.calls == []


def test_a_file_plone_reload_did_not_reload_means_a_restart(py_file: Path) -> None:
    workspace = FakeWorkspace(project(service("backend")), [CodeReload((), 0.1)])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run([Action(BACKEND, Do.RELOAD_CODE, (py_file,))])
    assert outcome.ok
    assert outcome.summary == "plone.reload did not reload greeting.py: restarted"
    assert runtime.calls == [("restart", ("backend",))]


def test_a_file_saved_before_the_last_restart_needs_no_second_one(py_file: Path) -> None:
    # Saved while the backend restarted for another reason: the new process imported it.
    workspace = FakeWorkspace(project(service("backend")), [CodeReload((), 0.1)])
    runtime = FakeRuntime()
    executor = Executor(runtime, workspace, wall_clock=lambda: py_file.stat().st_mtime + 1)
    executor.run([Action(BACKEND, Do.RESTART, (ROOT / "a.zcml",))])
    (outcome,) = executor.run([Action(BACKEND, Do.RELOAD_CODE, (py_file,))])
    assert outcome.ok
    assert outcome.summary == "nothing to reload: its last start loaded this code"
    assert runtime.calls == [("restart", ("backend",))]


@pytest.mark.parametrize(
    ("error", "summary"),
    [
        (BackendUnreachable("refused"), "was not answering: restarted"),
        (
            ReloadError("plone.reload failed (HTTP 500)"),
            "plone.reload failed (HTTP 500): restarted",
        ),
    ],
)
def test_a_reload_that_cannot_run_means_a_restart(
    py_file: Path, error: ReloadError, summary: str
) -> None:
    workspace = FakeWorkspace(project(service("backend")), [error])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run([Action(BACKEND, Do.RELOAD_CODE, (py_file,))])
    assert (outcome.ok, outcome.summary) == (True, summary)
    assert runtime.calls == [("restart", ("backend",))]


def test_a_failed_start_is_reported_and_the_next_change_restarts_it(py_file: Path) -> None:
    workspace = FakeWorkspace(project(service("backend")), [ReloadError("HTTP 500")])
    runtime = FakeRuntime(fail_next_start={"backend": TRACEBACK})
    executor = _executor(workspace, runtime)

    (failed,) = executor.run([Action(BACKEND, Do.RELOAD_CODE, (py_file,))])
    assert not failed.ok
    assert failed.summary == "failed to start; it starts again on the next change"
    assert failed.details.splitlines()[0] == "Traceback (most recent call last):"
    assert failed.details.splitlines()[-1].startswith("SyntaxError: unterminated string")
    assert "--- plonedev" not in failed.details

    # The fix: no reload is tried on a backend that is gone, it is started again.
    (fixed,) = executor.run([Action(BACKEND, Do.RELOAD_CODE, (py_file,))])
    assert (fixed.ok, fixed.summary) == (True, "started again")
    assert workspace.asked == ["reload"]
    assert runtime.calls == [("restart", ("backend",))] * 2
    assert executor.broken == set()


def test_a_service_restarted_earlier_in_the_batch_is_not_touched_again(py_file: Path) -> None:
    workspace = FakeWorkspace(project(service("backend")))
    runtime = FakeRuntime()
    outcomes = _executor(workspace, runtime).run(
        [
            Action(BACKEND, Do.RESTART, (ROOT / "a.zcml",)),
            Action(BACKEND, Do.RELOAD_CODE, (py_file,)),
        ]
    )
    assert [o.summary for o in outcomes] == ["restarted"]
    assert runtime.calls == [("restart", ("backend",))]
    assert workspace.asked == []


def test_an_install_restarts_only_when_something_was_installed() -> None:
    workspace = FakeWorkspace(
        project(service("backend")),
        installs=[
            InstallSummary(False, "synced sources, the backend environment is up to date"),
            InstallSummary(True, "reinstalled (requirements changed, 2.0 s)", ("a warning",)),
        ],
    )
    runtime = FakeRuntime()
    executor = _executor(workspace, runtime)
    (first,) = executor.run([Action(BACKEND, Do.SYNC, (ROOT / "mx.ini",))])
    assert (
        first.summary == "synced sources, the backend environment is up to date: no restart needed"
    )
    assert runtime.calls == []
    (second,) = executor.run([Action(BACKEND, Do.REINSTALL, (ROOT / "sources/demo/setup.py",))])
    assert second.summary == "reinstalled (requirements changed, 2.0 s), restarted"
    assert second.warnings == ("a warning",)
    assert runtime.calls == [("restart", ("backend",))]
    assert workspace.asked == ["sync", "install"]


def test_a_failed_install_leaves_the_backend_running() -> None:
    workspace = FakeWorkspace(
        project(service("backend")),
        installs=[PlonedevError("uv failed installing the backend", "fix the requirement")],
    )
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run([Action(BACKEND, Do.SYNC, (ROOT / "mx.ini",))])
    assert not outcome.ok
    assert "keeps running as it was: uv failed installing the backend" in outcome.summary
    assert outcome.hint == "fix the requirement"
    assert runtime.calls == []


def test_no_frontend_service_means_nothing_to_do() -> None:
    workspace = FakeWorkspace(project(service("backend")))
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run(
        [Action(FRONTEND, Do.REINSTALL, (ROOT / "frontend" / "package.json",))]
    )
    assert outcome.ok
    assert "runs no frontend" in outcome.summary
    assert runtime.calls == []


def _reconfigured(
    new_backend_command: str = "",
    *,
    installed: bool = False,
    files_changed: frozenset[str] = frozenset(),
    vcl_changed: bool = False,
) -> Reconfiguration:
    old = project(service("backend"), service("varnish", "backend"))
    new = project(service("backend", command=new_backend_command), service("varnish", "backend"))
    return Reconfiguration(old, new, installed, files_changed, vcl_changed)


def test_reconfigure_restarts_only_the_services_whose_definition_changed() -> None:
    change = _reconfigured("run-backend --port 9000")
    workspace = FakeWorkspace(change.old, reconfigurations=[change])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run(
        [Action(PROJECT, Do.RECONFIGURE, (ROOT / "pyproject.toml",))]
    )
    assert (outcome.ok, outcome.summary) == (True, "restarted backend")
    assert runtime.calls == [("restart", ("backend",))]


def test_reconfigure_reloads_a_changed_vcl_instead_of_restarting_varnish() -> None:
    change = _reconfigured(vcl_changed=True)
    workspace = FakeWorkspace(change.old, reconfigurations=[change], vcl_reloads=[0.2])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run(
        [Action(PROJECT, Do.RECONFIGURE, (ROOT / "pyproject.toml",))]
    )
    assert (outcome.ok, outcome.summary) == (True, "reloaded the VCL (0.2 s)")
    assert runtime.calls == []
    assert workspace.asked == ["reconfigure", "reload-vcl"]


def test_a_vcl_that_does_not_compile_is_reported_and_nothing_restarts() -> None:
    change = _reconfigured(vcl_changed=True)
    error = PlonedevError("default.vcl: VCL does not compile, Varnish keeps the previous one")
    workspace = FakeWorkspace(change.old, reconfigurations=[change], vcl_reloads=[error])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run(
        [Action(PROJECT, Do.RECONFIGURE, (ROOT / "pyproject.toml",))]
    )
    assert not outcome.ok
    assert "keeps the previous one" in outcome.summary
    assert runtime.calls == []


def test_reconfigure_with_changed_files_and_an_install() -> None:
    change = _reconfigured(installed=True, files_changed=frozenset({"backend", "gone"}))
    workspace = FakeWorkspace(change.old, reconfigurations=[change])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run(
        [Action(PROJECT, Do.RECONFIGURE, (ROOT / "pyproject.toml",))]
    )
    assert outcome.summary == "restarted backend"


def test_reconfigure_starts_new_services_first_and_stops_removed_ones() -> None:
    old = project(service("backend"), service("varnish", "backend"))
    new = project(service("zeo"), service("backend", "zeo"))
    change = Reconfiguration(old, new, False, frozenset({"backend", "zeo"}), False)
    workspace = FakeWorkspace(old, reconfigurations=[change])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run(
        [Action(PROJECT, Do.RECONFIGURE, (ROOT / "pyproject.toml",))]
    )
    assert outcome.summary == "stopped varnish; started zeo; restarted backend"
    assert runtime.calls == [("stop", ("varnish",)), ("restart", ("zeo", "backend"))]


def test_a_broken_config_changes_nothing() -> None:
    error = ConfigError("pyproject.toml: tool.plonedev.storage: expected one of ...")
    workspace = FakeWorkspace(project(service("backend")), reconfigurations=[error])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run(
        [Action(PROJECT, Do.RECONFIGURE, (ROOT / "pyproject.toml",))]
    )
    assert not outcome.ok
    assert outcome.summary.startswith("configuration not applied")
    assert runtime.calls == []


def test_a_frontend_package_json_reinstalls_then_restarts_the_frontend() -> None:
    workspace = FakeWorkspace(
        project(service("backend"), service("frontend", "backend")),
        frontend_installs=[InstallSummary(True, "reinstalled its packages (frontend-install)")],
    )
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run(
        [Action(FRONTEND, Do.REINSTALL, (ROOT / "frontend" / "package.json",))]
    )
    assert outcome.ok
    assert outcome.summary == "reinstalled its packages (frontend-install), restarted"
    assert workspace.asked == ["install-frontend"]
    assert runtime.calls == [("restart", ("frontend",))]


def test_a_frontend_already_up_to_date_is_not_restarted_and_a_failure_is_reported() -> None:
    workspace = FakeWorkspace(
        project(service("backend"), service("frontend", "backend")),
        frontend_installs=[
            InstallSummary(False, "its packages are up to date"),
            ServiceError("docker compose could not run frontend-install: exit 1", ""),
        ],
    )
    runtime = FakeRuntime()
    executor = _executor(workspace, runtime)
    action = Action(FRONTEND, Do.REINSTALL, (ROOT / "frontend" / "package.json",))
    (same,) = executor.run([action])
    assert (same.ok, same.summary) == (True, "its packages are up to date: no restart needed")
    (failed,) = executor.run([action])
    assert not failed.ok
    assert failed.summary.startswith("install failed, the frontend keeps running as it was")
    assert runtime.calls == []


VCL = ROOT / "compose" / "varnish" / "default.vcl"
WITH_VARNISH = project(service("backend"), service("varnish", "backend"))


def test_a_saved_vcl_is_loaded_into_the_running_varnish() -> None:
    workspace = FakeWorkspace(WITH_VARNISH, vcl_reloads=[0.4])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run([Action(VARNISH, Do.RELOAD_VCL, (VCL,))])
    assert (outcome.ok, outcome.summary) == (True, "loaded the new VCL (0.4 s), the cache kept")
    assert runtime.calls == []  # Varnish was not restarted


def test_a_saved_vcl_that_does_not_compile_is_reported_and_nothing_restarts() -> None:
    error = PlonedevError(
        "compose/varnish/default.vcl: VCL does not compile, Varnish keeps the previous one",
        "fix the VCL at the line shown",
    )
    workspace = FakeWorkspace(WITH_VARNISH, vcl_reloads=[error])
    runtime = FakeRuntime()
    (outcome,) = _executor(workspace, runtime).run([Action(VARNISH, Do.RELOAD_VCL, (VCL,))])
    assert not outcome.ok
    assert "does not compile" in outcome.summary and outcome.hint
    assert runtime.calls == []


def test_a_vcl_varnish_runs_already_says_nothing() -> None:
    workspace = FakeWorkspace(WITH_VARNISH, vcl_reloads=[None])
    assert _executor(workspace, FakeRuntime()).run([Action(VARNISH, Do.RELOAD_VCL, (VCL,))]) == []


def test_a_vcl_reloaded_by_the_reconfiguration_is_not_loaded_twice() -> None:
    change = _reconfigured(vcl_changed=True)
    workspace = FakeWorkspace(change.old, reconfigurations=[change], vcl_reloads=[0.2])
    outcomes = _executor(workspace, FakeRuntime()).run(
        [
            Action(PROJECT, Do.RECONFIGURE, (ROOT / "pyproject.toml",)),
            Action(VARNISH, Do.RELOAD_VCL, (VCL,)),
        ]
    )
    assert [o.service for o in outcomes] == [PROJECT]
    assert workspace.asked == ["reconfigure", "reload-vcl"]


def test_an_unexpected_error_is_reported_and_the_next_action_still_runs(py_file: Path) -> None:
    class Broken(FakeWorkspace):
        def reload_code(self) -> CodeReload:
            raise KeyError("surprise")

    workspace = Broken(project(service("backend"), service("frontend")))
    runtime = FakeRuntime()
    first, second = _executor(workspace, runtime).run(
        [
            Action(BACKEND, Do.RELOAD_CODE, (py_file,)),
            Action(FRONTEND, Do.RESTART, (ROOT / "frontend" / "x.js",)),
        ]
    )
    assert not first.ok
    assert first.summary.startswith("unexpected error (KeyError: 'surprise')")
    assert "Traceback" in first.details
    assert second.ok
