"""Following a stack's services until each runs its current image healthy, or one fails.

Shared by `plonedev deploy`, `stack scale` and `stack rollback`. A service has failed
when its update did not complete (Swarm paused it, or started its own rollback: the
stack's failure_action) or, with no update to watch (a new service, a scale), when
tasks of its image keep failing. Progress is one line per service whenever its state
changes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from plonedev.report import Reporter
from plonedev.runtime.swarm_services import (
    FAILED_STATES,
    UPDATE_FAILED,
    ServiceState,
    TaskState,
    stack_services,
)

if TYPE_CHECKING:
    from python_on_whales import DockerClient

FAILED_TASKS = 5  # failed tasks of one image (no update to watch) that make a failure:
# a first deploy sees a few (a backend started before its database answers)
POLL_SECONDS = 2.0


@dataclass(frozen=True)
class Failure:
    service: ServiceState
    reason: str
    task: TaskState | None  # the failed task to show the logs of


def follow(
    docker: DockerClient,
    stack: str,
    reporter: Reporter,
    *,
    timeout: float,
    since: datetime,
    updated: Collection[str] = (),
    images: dict[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[tuple[ServiceState, ...], Failure | None]:
    """Poll until every service has converged, or one fails, or `timeout` passes.

    `updated`: the services this change updated (their update status is watched);
    `images`: the image each was asked to run, to find a failed task after Swarm has
    rolled the spec back."""
    deadline = time.monotonic() + timeout
    shown: dict[str, str] = {}
    while True:
        states = stack_services(docker, stack)
        for state in states:
            line = progress_line(state)
            if shown.get(state.name) != line:
                shown[state.name] = line
                reporter.info(line)
        for state in states:
            target = (images or {}).get(state.name, state.image)
            failure = failure_of(state, since, watched=state.name in updated, image=target)
            if failure is not None:
                return states, failure
        if states and all(s.converged for s in states):
            return states, None
        if time.monotonic() > deadline:
            late = next((s for s in states if not s.converged), None)
            if late is None:
                return states, None
            task = _last_task(late, late.image)
            stuck = f"; its task: {task.state} {task.error or task.message}" if task else ""
            reason = f"not converged after {timeout:.0f} s ({progress_line(late).strip()}{stuck})"
            return states, Failure(late, reason, task)
        sleep(POLL_SECONDS)


def progress_line(state: ServiceState) -> str:
    update = f", {state.update_state.replace('_', ' ')}" if state.update_state else ""
    return f"  {state.name:<9} {state.running}/{state.replicas} {_tag(state.image)}{update}"


def failure_of(
    state: ServiceState, since: datetime, *, watched: bool, image: str
) -> Failure | None:
    if watched and state.update_state in UPDATE_FAILED:
        task = _last_task(state, image)
        reason = task.error if task is not None and task.error else state.update_message
        return Failure(state, reason or f"update {state.update_state}", task)
    failed = [
        t
        for t in state.tasks
        if t.state in FAILED_STATES and t.image == image and (t.created or since) >= since
    ]
    if len(failed) >= FAILED_TASKS:
        task = max(failed, key=lambda t: t.created or since)
        return Failure(state, task.error or f"{len(failed)} tasks failed", task)
    return None


def _last_task(state: ServiceState, image: str) -> TaskState | None:
    """The newest task of `image` that did not run (or, failing that, the newest)."""
    epoch = datetime.min.replace(tzinfo=UTC)
    tasks = sorted((t for t in state.tasks if t.image == image), key=lambda t: t.created or epoch)
    bad = [t for t in tasks if t.state != "running"]
    chosen = bad or tasks
    return chosen[-1] if chosen else None


def _tag(image: str) -> str:
    """The image's name:tag, without a registry path or digest: short progress lines."""
    return image.split("@", 1)[0].rsplit("/", 1)[-1]
