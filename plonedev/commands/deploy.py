"""`plonedev deploy`: export the stack, deploy it, follow it, roll it back when it fails.

The steps: optionally `plonedev build [--push]`; export-stack with the same options
(the missing secrets created on the target engine); `docker stack deploy
--with-registry-auth`; then follow every service until it runs its new image healthy.
When one fails, every service this deploy updated goes back to its previous spec (the
failing one usually by Swarm itself, the stack's failure_action; the others by `docker
service rollback`), and the error names the service, its last task's error and logs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from plonedev.commands.export_stack import ExportResult, export_stack
from plonedev.commands.rollout import Failure, follow
from plonedev.errors import PlonedevError, ServiceError
from plonedev.render.stack_options import StackOptions
from plonedev.report import Reporter
from plonedev.runtime.swarm import swarm_client
from plonedev.runtime.swarm_services import (
    UPDATE_BUSY,
    deploy_stack,
    roll_back,
    spec_digests,
    stack_services,
    task_logs,
)

if TYPE_CHECKING:
    from python_on_whales import DockerClient

LOG_LINES = 20  # of the failed task, in the error
RESOLVE_IMAGE = ("always", "changed", "never")


class DeployFailed(ServiceError):
    """The new version did not come up (and was rolled back): exit 1, as a CI job's
    failed step."""

    exit_code = 1


@dataclass(frozen=True)
class DeployResult:
    stack: str
    export: ExportResult
    updated: tuple[str, ...]  # the services whose spec this deploy changed
    seconds: float


def deploy(
    start: Path,
    options: StackOptions,
    reporter: Reporter,
    *,
    docker_context: str | None = None,
    build: bool = False,
    push: bool = False,
    resolve_image: str = "always",
    timeout: float = 900,
) -> DeployResult:
    if push and not build:
        raise PlonedevError("--push needs --build", "use --build --push, or drop --push")
    if resolve_image not in RESOLVE_IMAGE:
        raise PlonedevError(
            f"--resolve-image {resolve_image!r} is not known",
            "use always, changed or never (never: images only on this engine)",
        )
    started = time.monotonic()
    if build:
        from plonedev.commands.build import build as run_build

        run_build(start, reporter, registry=options.registry, tag=options.tag, push=push)
    exported = export_stack(start, options, create_secrets=True, docker_context=docker_context)
    stack = exported.project
    docker = swarm_client(docker_context)
    before = spec_digests(docker, stack)
    since = datetime.now(UTC)
    with reporter.step(f"Deploying the stack {stack}") as step:
        deploy_stack(docker, stack, exported.stack_file, resolve_image=resolve_image)
        step.done(f"Deployed the stack {stack} (docker stack deploy)")
    after = spec_digests(docker, stack)
    updated = tuple(name for name, digest in sorted(after.items()) if before.get(name) != digest)
    deployed = stack_services(docker, stack)
    images = {s.name: s.image for s in deployed}
    reporter.info(f"Following {len(deployed)} services ({len(updated)} updated):")
    _, failure = follow(
        docker, stack, reporter, timeout=timeout, since=since, updated=updated, images=images
    )
    if failure is not None:
        # Only the services that existed before have a version to go back to.
        revert = tuple(name for name in updated if name in before)
        rolled = _roll_back(docker, stack, reporter, revert, timeout=timeout, since=since)
        raise _failed(docker, failure, rolled, new=failure.service.name not in before)
    return DeployResult(stack, exported, updated, time.monotonic() - started)


def _roll_back(
    docker: DockerClient,
    stack: str,
    reporter: Reporter,
    names: tuple[str, ...],
    *,
    timeout: float,
    since: datetime,
) -> tuple[str, ...]:
    if not names:
        return ()
    reporter.info(f"Rolling back {', '.join(names)}:")
    for state in stack_services(docker, stack):
        if state.name not in names or state.update_state.startswith("rollback"):
            continue  # Swarm is rolling it back already (the stack's failure_action)
        if state.update_state in UPDATE_BUSY or state.can_roll_back:
            roll_back(docker, state.full_name)
    _, failure = follow(docker, stack, reporter, timeout=timeout, since=since)
    if failure is not None:
        reporter.warn(f"the rollback of {failure.service.name} did not converge: {failure.reason}")
    return names


def _failed(
    docker: DockerClient, failure: Failure, rolled: tuple[str, ...], *, new: bool
) -> DeployFailed:
    service = failure.service.name
    logs = ""
    if failure.task is not None:
        logs = task_logs(docker, failure.task.id, LOG_LINES).rstrip()
    details = (
        f"--- the last {LOG_LINES} log lines of {service}'s failed task\n{logs}" if logs else ""
    )
    if rolled:
        hint = f"rolled back {', '.join(rolled)}; the previous version keeps serving"
    elif new:
        hint = "a new service has no previous version to roll back to: fix it and deploy again"
    else:
        hint = "nothing had changed to roll back"
    return DeployFailed(
        f"the deploy failed: {service} did not become healthy: {failure.reason}",
        f"{hint}; see `plonedev stack status` and `plonedev stack logs {service}`",
        details=details,
    )
