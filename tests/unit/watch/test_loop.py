"""The loop end to end with a scripted change source and a fake clock: batching, one
line per action, and going on after a failure."""

from __future__ import annotations

import threading

from plonedev.report import QuietReporter
from plonedev.watch.changes import ChangeKind, FileChange
from plonedev.watch.executor import Executor, InstallSummary
from plonedev.watch.filter import WatchSpec
from plonedev.watch.loop import WatchOptions, run_loop
from plonedev.watch.outcome import ActionOutcome
from tests.unit.watch.fakes import ROOT, FakeRuntime, FakeWorkspace, project, service

PKG = ROOT / "sources" / "demo" / "src" / "demo"


class ScriptedSource:
    """Hands out changes at scripted times, moving the fake clock instead of sleeping."""

    def __init__(self, script: list[tuple[float, list[FileChange]]], stop: threading.Event):
        self.now = 0.0
        self.script = sorted(script, key=lambda item: item[0])
        self.stop = stop
        self.closed = False

    def clock(self) -> float:
        return self.now

    def get(self, timeout: float | None) -> list[FileChange]:
        wait = 1.0 if timeout is None else timeout
        if self.script and self.script[0][0] <= self.now + wait:
            at, changes = self.script.pop(0)
            self.now = max(self.now, at)
            return changes
        self.now += wait
        if not self.script:
            self.stop.set()
        return []

    def close(self) -> None:
        self.closed = True


def _modified(*names: str) -> list[FileChange]:
    return [FileChange(ChangeKind.MODIFIED, PKG / name) for name in names]


def _run(
    script: list[tuple[float, list[FileChange]]], workspace: FakeWorkspace, runtime: FakeRuntime
) -> tuple[list[tuple[float, ActionOutcome, str]], ScriptedSource]:
    stop = threading.Event()
    source = ScriptedSource(script, stop)
    seen: list[tuple[float, ActionOutcome, str]] = []
    specs: list[WatchSpec] = []
    run_loop(
        Executor(runtime, workspace, clock=source.clock),
        QuietReporter(),
        lambda spec: source,
        options=WatchOptions(quiet=0.3, max_wait=2.0),
        stop=stop,
        clock=source.clock,
        on_ready=specs.append,
        on_outcome=lambda outcome, line: seen.append((source.now, outcome, line)),
    )
    assert specs == [workspace.watch_spec()]
    return seen, source


def test_a_lone_save_is_applied_at_once_and_the_saves_after_it_wait_for_quiet() -> None:
    workspace = FakeWorkspace(project(service("backend")))
    runtime = FakeRuntime()
    script = [(1.0, _modified("a.zcml")), (1.1, _modified("b.zcml")), (1.2, _modified("c.zcml"))]
    seen, source = _run(script, workspace, runtime)
    assert source.closed
    assert [(at, o.triggers) for at, o, _ in seen] == [
        (1.0, (PKG / "a.zcml",)),  # the leading edge: no quiet period for a lone save
        (1.5, (PKG / "b.zcml", PKG / "c.zcml")),  # 0.3 s after the last save
    ]
    assert runtime.calls == [("restart", ("backend",))] * 2
    assert seen[1][2] == (
        "backend: restarted in 0.00 s — sources/demo/src/demo/b.zcml, sources/demo/src/demo/c.zcml"
    )


def test_a_branch_switch_is_one_action_after_the_quiet_period() -> None:
    workspace = FakeWorkspace(project(service("backend")))
    runtime = FakeRuntime()
    files = [f"p{i}.zcml" for i in range(500)]
    # The watcher hands a checkout over in groups of events 50 ms apart.
    script = [(1.0 + 0.05 * n, _modified(*files[n * 100 : (n + 1) * 100])) for n in range(5)]
    seen, _ = _run(script, workspace, runtime)
    assert [at for at, _, _ in seen] == [1.5]
    assert len(seen[0][1].triggers) == 500
    assert runtime.calls == [("restart", ("backend",))]


def test_the_loop_goes_on_after_a_failure_and_recovers_on_the_next_change() -> None:
    workspace = FakeWorkspace(project(service("backend")))
    runtime = FakeRuntime(fail_next_start={"backend": "Traceback (most recent call last):\nBoom"})
    script = [
        (1.0, [FileChange(ChangeKind.MODIFIED, PKG / "configure.zcml")]),
        (5.0, [FileChange(ChangeKind.MODIFIED, PKG / "configure.zcml")]),
    ]
    seen, _ = _run(script, workspace, runtime)
    assert [(at, o.ok) for at, o, _ in seen] == [(1.0, False), (5.0, True)]
    assert seen[0][1].details == "Traceback (most recent call last):\nBoom"
    assert runtime.calls == [("restart", ("backend",))] * 2


def test_a_change_to_mx_ini_reads_the_sources_again() -> None:
    workspace = FakeWorkspace(
        project(service("backend")), installs=[InstallSummary(True, "reinstalled")]
    )
    script = [(1.0, [FileChange(ChangeKind.MODIFIED, ROOT / "mx.ini")])]
    seen, _ = _run(script, workspace, FakeRuntime())
    assert [o.summary for _, o, _ in seen] == ["reinstalled, restarted"]
    assert workspace.asked == ["sync", "refresh"]


def test_files_plonedev_wrote_itself_are_not_changes() -> None:
    compose_file = ROOT / "compose" / "compose.yaml"
    workspace = FakeWorkspace(project(service("backend")), settled={compose_file})
    runtime = FakeRuntime()
    script = [(1.0, [FileChange(ChangeKind.MODIFIED, compose_file)])]
    seen, _ = _run(script, workspace, runtime)
    assert seen == []
    assert workspace.asked == []


def test_a_never_ending_stream_is_handled_every_max_wait() -> None:
    workspace = FakeWorkspace(project(service("backend")))
    script = [(1.0 + i * 0.25, _modified(f"p{i}.zcml")) for i in range(20)]  # 5 s of saves
    seen, _ = _run(script, workspace, FakeRuntime())
    # the first save at once, then the stream every max_wait, then its end after quiet
    assert [at for at, _, _ in seen] == [1.0, 3.25, 5.5, 6.05]
    assert sum(len(o.triggers) for _, o, _ in seen) == 20


def test_nothing_relevant_does_nothing() -> None:
    workspace = FakeWorkspace(project(service("backend")))
    seen, _ = _run([(1.0, _modified("README.md"))], workspace, FakeRuntime())
    assert seen == []
