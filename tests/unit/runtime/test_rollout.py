"""Following a stack: when a service counts as converged, as failed, and what is shown.

The service states are built here (the Swarm test, tests/integration/test_deploy.py,
reads them from a real engine): these pin down the rules the follow loop applies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plonedev.commands import rollout
from plonedev.commands.rollout import FAILED_TASKS, Failure, failure_of, follow, progress_line
from plonedev.report import QuietReporter
from plonedev.runtime.swarm_services import ServiceState, TaskState

SINCE = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
OLD, NEW = "reg.example.org/team/site-backend:t1", "reg.example.org/team/site-backend:t2"


def _task(image: str, state: str, *, minutes: int = 1, error: str = "") -> TaskState:
    created = SINCE + timedelta(minutes=minutes)
    return TaskState(f"task{minutes}{state}", image, state, "running", error, state, created)


def _service(
    *tasks: TaskState, image: str = NEW, update: str = "", replicas: int = 2
) -> ServiceState:
    return ServiceState(
        name="backend",
        full_name="site_backend",
        image=image,
        replicas=replicas,
        update_state=update,
        update_message="update paused due to failure" if update else "",
        can_roll_back=True,
        tasks=tasks,
    )


def test_converged_when_every_replica_runs_the_new_image_and_no_old_task_is_left() -> None:
    assert _service(_task(NEW, "running"), _task(NEW, "running"), update="completed").converged
    # start-first: the old task still serves while the new one becomes healthy.
    rolling = _service(_task(NEW, "running"), _task(OLD, "running"), update="updating")
    assert not rolling.converged
    assert not _service(_task(NEW, "running"), _task(NEW, "starting")).converged
    assert not _service(_task(NEW, "running"), _task(NEW, "running"), update="updating").converged


@pytest.mark.parametrize("update", ["paused", "rollback_started", "rollback_completed"])
def test_an_update_swarm_stopped_is_a_failure_with_the_new_tasks_error(update: str) -> None:
    failed = _task(NEW, "failed", minutes=3, error="task: non-zero exit (137): unhealthy")
    # Swarm rolled the spec back already: the image asked for is still the one to blame.
    state = _service(_task(OLD, "running"), failed, image=OLD, update=update)
    failure = failure_of(state, SINCE, watched=True, image=NEW)
    assert failure is not None
    assert failure.reason == "task: non-zero exit (137): unhealthy"
    assert failure.task == failed


def test_an_update_state_from_an_earlier_deploy_is_not_this_deploys_failure() -> None:
    state = _service(
        _task(OLD, "running"), _task(OLD, "running"), image=OLD, update="rollback_completed"
    )
    assert failure_of(state, SINCE, watched=False, image=OLD) is None


def test_without_an_update_to_watch_repeated_failed_tasks_of_the_image_are_a_failure() -> None:
    fewer = [_task(NEW, "failed", minutes=m, error="exit 1") for m in range(1, FAILED_TASKS)]
    assert failure_of(_service(*fewer), SINCE, watched=False, image=NEW) is None
    before = _task(NEW, "failed", minutes=-5, error="exit 1")  # an earlier deploy's
    assert failure_of(_service(*fewer, before), SINCE, watched=False, image=NEW) is None
    third = _task(NEW, "rejected", minutes=FAILED_TASKS, error="no such image")
    failure = failure_of(_service(*fewer, third), SINCE, watched=False, image=NEW)
    assert failure is not None and failure.reason == "no such image"


def test_progress_shows_running_over_desired_the_tag_and_the_update_state() -> None:
    state = _service(_task(NEW, "running"), _task(OLD, "running"), update="rollback_started")
    assert progress_line(state) == "  backend   1/2 site-backend:t2, rollback started"


def _follow(
    monkeypatch: pytest.MonkeyPatch, *snapshots: ServiceState, timeout: float = 60
) -> tuple[tuple[tuple[ServiceState, ...], Failure | None], list[str]]:
    seen = iter(snapshots)
    last = [snapshots[-1]]

    def states(docker: object, stack: str) -> tuple[ServiceState, ...]:
        last[0] = next(seen, last[0])
        return (last[0],)

    monkeypatch.setattr(rollout, "stack_services", states)
    reporter = QuietReporter()
    lines: list[str] = []
    monkeypatch.setattr(reporter, "info", lines.append)
    result = follow(
        None,  # type: ignore[arg-type]
        "site",
        reporter,
        timeout=timeout,
        since=SINCE,
        updated=("backend",),
        images={"backend": NEW},
        sleep=lambda seconds: None,
    )
    return result, lines


def test_follow_returns_once_converged_showing_each_change_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rolling = _service(
        _task(NEW, "starting"), _task(OLD, "running"), _task(OLD, "running"), update="updating"
    )
    half = _service(_task(NEW, "running"), _task(OLD, "running"), update="updating")
    done = _service(_task(NEW, "running"), _task(NEW, "running"), update="completed")
    (states, failure), lines = _follow(monkeypatch, rolling, rolling, half, done)
    assert failure is None and states == (done,)
    assert [line.split()[1] for line in lines] == ["0/2", "1/2", "2/2"]


def test_follow_stops_at_the_first_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    rolling = _service(_task(OLD, "running"), _task(OLD, "running"), update="updating")
    failed = _service(
        _task(OLD, "running"),
        _task(NEW, "failed", error="unhealthy"),
        image=OLD,
        update="rollback_started",
    )
    (_, failure), _ = _follow(monkeypatch, rolling, failed)
    assert failure is not None and failure.reason == "unhealthy"


def test_follow_gives_up_after_the_timeout_naming_the_late_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stuck = _service(_task(NEW, "starting"), _task(OLD, "running"), update="updating")
    (_, failure), _ = _follow(monkeypatch, stuck, timeout=-1)
    assert failure is not None
    assert failure.service.name == "backend"
    assert failure.reason.startswith("not converged after")
