"""The Docker runtime: the project's services as one Compose project.

Compose (through python-on-whales) starts, stops and restarts; the engine (docker-py)
tells what runs and reports health through its events. The Compose project name is the
plonedev project name, so two projects run side by side; a name already used by a
project in another folder is refused. compose/compose.yaml is written before `up` by
plonedev.runtime.docker_prepare.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

from plonedev.errors import PlonedevError, ServiceError
from plonedev.model import ContainerJob, Project, Role, Service
from plonedev.paths import ProjectPaths
from plonedev.render.owned import WriteOutcome
from plonedev.runtime import ports
from plonedev.runtime.docker_compose import Compose
from plonedev.runtime.docker_engine import ContainerInfo, Engine
from plonedev.runtime.docker_health import Expectation, start_and_wait
from plonedev.runtime.docker_shell import DockerShell
from plonedev.runtime.docker_state import UpRecord, compose_digest
from plonedev.runtime.docker_varnish import vcl_path, write_vcl
from plonedev.runtime.protocol import (
    SITE_CREATED,
    EventSink,
    LogLine,
    ServiceEvent,
    ServiceStatus,
    State,
)

_STOPPED_CODES = (0, 130, 143)  # exit codes of a container stopped on purpose
_LOG_PREFIX = re.compile(r"^(?P<name>[A-Za-z0-9._-]+?)-\d+\s+\| ?(?P<text>.*)$")
_TERMINAL_CODES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # Compose erases lines even in pipes
_SITE_LINE = re.compile(r"plonedev-site: created (?P<site>\S+) in (?P<seconds>[\d.]+) s")


class DockerRuntime:
    name = "docker"

    def __init__(self, paths: ProjectPaths, engine: Engine | None = None) -> None:
        self.paths = paths
        self.engine = engine or Engine()
        self.record = UpRecord(paths.run / "docker.json")

    def _compose(self, project: Project) -> Compose:
        return Compose(self.paths.compose_dir, project.name)

    def backend_shell(self, project: Project) -> DockerShell:
        backend = project.by_role(Role.BACKEND)
        assert backend is not None  # every project has one
        return DockerShell(
            self._compose(project), self.paths.root, self.paths.sources, backend.name
        )

    # -- up ---------------------------------------------------------------------------
    def up(self, project: Project, on_event: EventSink) -> None:
        compose = self._compose(project)
        if not compose.exists:
            raise PlonedevError(
                f"{compose.files[0]} is missing", "run `plonedev up`, which writes it first"
            )
        current = self._containers(project)
        image_ids = self._image_ids(project)
        digest = compose_digest(compose.files, [image_ids[i] for i in sorted(image_ids)])
        if self.record.matches(digest) and self._runs_as_recorded(project, current, image_ids):
            stale = self._render_vcl(project, compose, current)
            if stale is not None:
                self.restart(project, (stale,), on_event)
            for service in project.start_order():
                on_event(ServiceEvent(service.name, "already running"))
            return
        for service in project.services:
            info = current.get(service.name)
            if info is None or not info.running:
                for binding in service.ports:
                    ports.ensure_free(service.name, binding)
        stale_varnish = self._render_vcl(project, compose, current)
        names = [s.name for s in project.start_order()]
        jobs = tuple(job.name for job in _jobs(project))
        expect = Expectation(tuple(names), jobs, timeout=_timeout(project.services))
        try:
            start_and_wait(
                self.engine,
                project.name,
                lambda: compose.up(names),
                expect,
                on_event,
                self._job_done,
            )
        except ServiceError as error:
            raise self._with_job_log(project, error) from None
        if stale_varnish is not None:
            self.restart(project, (stale_varnish,), on_event)
        self.record.save(digest)

    def _runs_as_recorded(
        self,
        project: Project,
        current: dict[str, ContainerInfo],
        image_ids: dict[str, str | None],
    ) -> bool:
        """Every service healthy, on the image its name points at now: a container made
        since the recorded `up` (a failed add-addon's, say) is not what was recorded."""
        for service in project.services:
            info = current.get(service.name)
            if _status(service, info).state is not State.RUNNING or info is None:
                return False
            image = service.container.image if service.container else None
            if image and info.image and info.image != image_ids[image]:
                return False
        return True

    def _image_ids(self, project: Project) -> dict[str, str | None]:
        """Each image the services name, and the id it points at now (None: not there)."""
        images = {s.container.image for s in project.services if s.container}
        return {image: self.engine.image_id(image) for image in images}

    def _render_vcl(
        self, project: Project, compose: Compose, current: dict[str, ContainerInfo]
    ) -> str | None:
        """Write the VCL for the project's network; the name of the Varnish service when
        it runs and must restart to read it, else None."""
        varnish = project.by_role(Role.VARNISH)
        if varnish is None:
            return None
        network_name = f"{project.name}_default"
        network = self.engine.network(network_name)
        if network is None:
            # The VCL folder is bind-mounted: it must exist before the container does.
            vcl_path(self.paths.compose_dir).parent.mkdir(parents=True, exist_ok=True)
            compose.create()  # makes the network, whose address range the VCL needs
            network = self.engine.network(network_name)
        if network is None or not network.subnets:
            raise PlonedevError(
                f"the network {network_name} has no address range",
                "check compose/compose.override.yaml for a network of its own",
            )
        written = write_vcl(self.paths.compose_dir, project, network)
        info = current.get(varnish.name)
        running = info is not None and info.running
        return varnish.name if written.outcome is WriteOutcome.WRITTEN and running else None

    def _with_job_log(self, project: Project, error: ServiceError) -> ServiceError:
        """A failed job (Compose says only its exit code): show the end of its log."""
        for job in _jobs(project):
            if error.message == f"{job.name} failed":
                info = self.engine.containers(project.name).get(job.name)
                log = [
                    line
                    for line in (self.engine.logs(info.id, 40) if info else [])
                    if "Redefining mime type" not in line  # Plone's start-up noise
                ][-20:]
                return ServiceError(
                    f"{job.name} failed: could not {job.description}",
                    "fix the cause shown above, then run `plonedev up` again",
                    details="\n".join(log) or error.details,
                )
        return error

    def _job_done(self, job: str, container_id: str, seconds: float) -> ServiceEvent | None:
        lines = self.engine.logs(container_id, 5)
        # Its last word only: a job container run again keeps the earlier runs' log.
        said = next((line for line in reversed(lines) if "plonedev-site:" in line), "")
        match = _SITE_LINE.search(said)
        if match:
            return ServiceEvent(job, SITE_CREATED, float(match["seconds"]), match["site"])
        return None

    def restart(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> None:
        compose = self._compose(project)
        current = self._containers(project)
        wanted = [s.name for s in project.start_order() if s.name in names]
        if all(name in current for name in wanted):
            start = lambda: compose.restart(wanted)  # noqa: E731
        else:
            start = lambda: compose.up(wanted)  # noqa: E731
        services = [s for s in project.services if s.name in wanted]
        expect = Expectation(tuple(wanted), timeout=_timeout(services))
        start_and_wait(self.engine, project.name, start, expect, on_event, self._job_done)

    def run_job(self, project: Project, job: str, timeout: float = 1800) -> None:
        """Run a one-shot job of the project once more, in the foreground (the frontend's
        install job after its package files changed)."""
        args = ["run", "--rm", "--no-deps", "-T", job]
        self._compose(project).run_captured(f"run {job}", args, timeout)

    # -- down -------------------------------------------------------------------------
    def down(self, project: Project, on_event: EventSink) -> list[str]:
        return self._down(project, on_event, volumes=False)

    def remove_data(self, project: Project, on_event: EventSink) -> tuple[list[str], list[str]]:
        """Stop everything and remove the project's named volumes: (stopped, volumes)."""
        volumes = self.engine.volumes(project.name)
        stopped = self._down(project, on_event, volumes=True)
        # Compose removes the volumes of its file: a storage used before had others.
        for name in self.engine.volumes(project.name):
            self.engine.remove_volume(name)
        return stopped, volumes

    def _down(self, project: Project, on_event: EventSink, *, volumes: bool) -> list[str]:
        current = self._containers(project)
        compose = self._compose(project)
        if not current and (not volumes or not compose.exists):
            return []
        started = time.monotonic()
        if compose.exists:
            compose.down(volumes=volumes)
        else:
            raise PlonedevError(
                f"{compose.files[0]} is missing, but containers of {project.name} exist",
                f"remove them with `docker compose -p {project.name} down`",
            )
        self.record.clear()
        seconds = time.monotonic() - started
        known = [s.name for s in reversed(project.start_order())]
        order = known + sorted(name for name in current if name not in known)
        stopped = [name for name in order if name in current and current[name].running]
        for name in stopped:
            on_event(ServiceEvent(name, "stopped", seconds))
        return stopped

    def stop(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> list[str]:
        current = self._containers(project)
        running = [name for name in names if name in current and current[name].running]
        if not running:
            return []
        started = time.monotonic()
        known = set(project.service_names)
        compose = self._compose(project)
        ours = [name for name in running if name in known]
        if ours:
            compose.stop(ours)
        for name in running:
            if name not in known:  # no longer in compose.yaml: stop it by its container
                self.engine.client.api.stop(current[name].id)
        for name in running:
            on_event(ServiceEvent(name, "stopped", time.monotonic() - started))
        return running

    # -- status and logs --------------------------------------------------------------
    def status(self, project: Project) -> list[ServiceStatus]:
        current = self._containers(project)
        return [_status(service, current.get(service.name)) for service in project.services]

    def logs(
        self, project: Project, services: tuple[str, ...], follow: bool, tail: int | None
    ) -> Iterator[LogLine]:
        compose = self._compose(project)
        if not compose.exists:
            return
        for raw in compose.logs(list(services), follow=follow, tail=tail):
            line = _TERMINAL_CODES.sub("", raw)
            match = _LOG_PREFIX.match(line)
            if match:
                yield LogLine(match["name"], match["text"])
            elif line.strip():
                yield LogLine("compose", line)

    # -- helpers ----------------------------------------------------------------------
    def _containers(self, project: Project) -> dict[str, ContainerInfo]:
        containers = self.engine.containers(project.name)
        ours = str(self.paths.compose_dir.resolve())
        for info in containers.values():
            if info.working_dir and info.working_dir != ours:
                raise PlonedevError(
                    f"the Compose project name {project.name!r} is used by the project in "
                    f"{info.working_dir}",
                    "set tool.plonedev.name to another name in pyproject.toml",
                )
        return containers


def _jobs(project: Project) -> list[ContainerJob]:
    return [job for s in project.services if s.container for job in s.container.jobs]


def _status(service: Service, info: ContainerInfo | None) -> ServiceStatus:
    if info is None:
        return ServiceStatus(service.name, State.STOPPED, url=service.url)
    if not info.running:
        if info.exit_code in _STOPPED_CODES:
            return ServiceStatus(service.name, State.STOPPED, url=service.url)
        return ServiceStatus(service.name, State.EXITED, detail=f"exit {info.exit_code}")
    state = {
        "healthy": State.RUNNING,
        "": State.RUNNING,
        "starting": State.STARTING,
    }.get(info.health, State.UNHEALTHY)
    return ServiceStatus(service.name, state, pid=info.pid or None, url=service.url)


def _timeout(services: list[Service] | tuple[Service, ...]) -> float:
    # Services start one after another; a first start also creates the site.
    return sum(s.start_timeout for s in services) + 120.0
