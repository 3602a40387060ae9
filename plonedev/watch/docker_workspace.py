"""The Compose project as the watcher sees it: how to apply a change to containers.

The backend's port is published on 127.0.0.1 and sources/ is bind-mounted and installed
editable in the dev image, so plone.reload works over HTTP as natively; it names the
files by their path in the container, mapped back here. Dependencies and the config go
through the same steps as `plonedev up` (plonedev.project_setup.prepare: mxdev, the docker
inputs, the image only when its inputs changed); the runtime then recreates only the
services whose definition or image changed (plonedev.watch.compose_runtime). The VCL
is loaded into the running Varnish through its own varnishadm: the cache stays.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from plonedev.errors import PlonedevError, ServiceError
from plonedev.files import file_digest
from plonedev.frontend.container import INSTALL_JOB
from plonedev.model import Project, Role, Service
from plonedev.model_builder import build_project
from plonedev.project_setup import prepare
from plonedev.project_setup.find_project import ProjectContext, RunningProject, load_project_config
from plonedev.render.backend_image import DOCKERFILE, DOCKERIGNORE
from plonedev.render.containers import BACKEND_BUILD, DOCKER_DIR, backend_image
from plonedev.render.containers import PROJECT as CONTAINER_PROJECT
from plonedev.render.owned import WriteOutcome
from plonedev.report import QuietReporter, Reporter
from plonedev.runtime.docker_compose import COMPOSE_FILE
from plonedev.runtime.docker_varnish import VCL_DIR, vcl_path, write_vcl
from plonedev.runtime.select import Resolution
from plonedev.sources import SourcesResult
from plonedev.varnish import ContainerAdmin, reload_vcl
from plonedev.watch.compose_runtime import WatchedDockerRuntime
from plonedev.watch.executor import InstallSummary, Reconfiguration
from plonedev.watch.project_workspace import ProjectWorkspace
from plonedev.watch.reload import CodeReload
from plonedev.watch.rules import BACKEND

# What `up` prepares for Docker (plonedev.runtimes.docker): returns the admin password.
Preparer = Callable[[RunningProject, SourcesResult, Reporter, bool], str]


class DockerWorkspace(ProjectWorkspace):
    def __init__(
        self,
        context: ProjectContext,
        project: Project,
        runtime: WatchedDockerRuntime,
        prepare_up: Preparer,
    ) -> None:
        self._runtime = runtime
        self._prepare_up = prepare_up
        super().__init__(context, project)
        # What runs now is what these files say (`up` wrote them, Varnish loaded the VCL).
        self._settle(*self._generated(), *self.vcl_files())

    def vcl_files(self) -> frozenset[Path]:
        if _varnish(self._project) is None:
            return frozenset()
        return frozenset({vcl_path(self.paths.compose_dir)})

    def _generated(self) -> list[Path]:
        """Files under compose/ that `up` (and so the watcher) writes."""
        root = self.paths.root
        return [self.paths.compose_dir / COMPOSE_FILE, root / DOCKERFILE, root / DOCKERIGNORE]

    # -- the backend's code -------------------------------------------------------------
    def reload_code(self) -> CodeReload:
        result = super().reload_code()
        return CodeReload(tuple(host_path(self.root, p) for p in result.reloaded), result.seconds)

    # -- dependencies and config --------------------------------------------------------
    def install(self, *, sync: bool) -> InstallSummary:
        quiet = QuietReporter()
        synced = prepare.sources(self._context, quiet)
        started = time.monotonic()
        built = self._prepare(self._context, self._project, synced, quiet)
        self.refresh()
        changed = BACKEND in self._runtime.outdated(self._project)
        if built:
            text = f"rebuilt the backend image ({time.monotonic() - started:.1f} s)"
        elif changed:
            text = "the backend image is up to date, its service changed"
        else:
            text = "the backend image is up to date"
        if sync:
            text = f"synced sources, {text}"
        return InstallSummary(built or changed, text, tuple(quiet.warnings))

    def _prepare(
        self, context: ProjectContext, project: Project, synced: SourcesResult, quiet: QuietReporter
    ) -> bool:
        """What `up` prepares for Docker: compose.yaml, the docker inputs, and the image
        when its inputs changed; True when it built one. The runtime's next restart
        recreates the services that changed."""
        running = RunningProject(context, project, self._runtime, Resolution("docker", "watch"))
        image = backend_image(context.config)
        before = self._runtime.engine.image_id(image)
        self._prepare_up(running, synced, quiet, True)
        self._settle(*self._generated())
        self._runtime.recheck = True
        return self._runtime.engine.image_id(image) != before

    def reconfigure(self) -> Reconfiguration:
        paths = self.paths
        config = load_project_config(paths)
        context = ProjectContext(paths, config)
        project = build_project(config, paths, native_programs=False)
        quiet = QuietReporter()
        synced = prepare.sources(context, quiet)
        instance = self._instance_files()
        built = self._prepare(context, project, synced, quiet)
        vcl_changed = self._write_vcl(project)
        outdated = self._runtime.outdated(project)
        if self._instance_files() != instance:  # zope.conf & co., bind-mounted: read at start
            outdated.update(s.name for s in project.services if _runs_backend_image(s))
        old = self._project
        self._context, self._project = context, project
        self.refresh()
        return Reconfiguration(
            old=old,
            new=project,
            installed=built,
            files_changed=frozenset(outdated),
            vcl_changed=vcl_changed,
            warnings=tuple(quiet.warnings),
        )

    def _instance_files(self) -> dict[Path, str]:
        folder = self.root / DOCKER_DIR / "instance"
        return {path: file_digest(path) for path in sorted(folder.rglob("*")) if path.is_file()}

    def _write_vcl(self, project: Project) -> bool:
        """Render the VCL for the running network, as `up` does; True when it changed
        (a VCL the user took over is theirs: the VCL rule reloads it when they save)."""
        if _varnish(project) is None:
            return False
        network = self._runtime.engine.network(f"{project.name}_default")
        if network is None:
            return False  # nothing runs: `up` renders it when it makes the network
        written = write_vcl(self.paths.compose_dir, project, network)
        return written.outcome is WriteOutcome.WRITTEN

    # -- Varnish and the frontend ---------------------------------------------------------
    def reload_vcl(self) -> float | None:
        path = vcl_path(self.paths.compose_dir)
        if self._is_settled(path):
            return None
        varnish = _varnish(self._project)
        info = self._runtime.engine.containers(self._project.name).get(varnish or "")
        if varnish is None or info is None or not info.running:
            raise ServiceError("Varnish is not running", "start it with `plonedev up`")
        inside = _vcl_in_container(self._project, path.name)
        try:
            result = reload_vcl(ContainerAdmin(info.id), inside)
        except PlonedevError as exc:
            shown = str(path.relative_to(self.root))
            raise type(exc)(exc.message.replace(str(inside), shown), exc.hint) from None
        self._settle(path)
        return result.seconds

    def install_frontend(self) -> InstallSummary:
        started = time.monotonic()
        self._runtime.run_job(self._project, INSTALL_JOB)
        seconds = time.monotonic() - started
        return InstallSummary(True, f"reinstalled its packages ({INSTALL_JOB}, {seconds:.1f} s)")


def host_path(root: Path, path: Path) -> Path:
    """A file as the backend container names it -> the file on the host (sources/ is
    bind-mounted under the container's project folder)."""
    inside = PurePosixPath(path)
    if inside.is_relative_to(CONTAINER_PROJECT):
        return root.joinpath(*inside.relative_to(CONTAINER_PROJECT).parts)
    return path


def _runs_backend_image(service: Service) -> bool:
    return service.container is not None and service.container.build == BACKEND_BUILD


def _varnish(project: Project) -> str | None:
    varnish = project.by_role(Role.VARNISH)
    return None if varnish is None else varnish.name


def _vcl_in_container(project: Project, name: str) -> Path:
    """Where the varnish container sees compose/varnish/<name> (its bind mount)."""
    for service in project.services:
        if service.role is Role.VARNISH and service.container is not None:
            for mount in service.container.mounts:
                if mount.source == f"compose/{VCL_DIR}":
                    return Path(mount.target) / name
    raise PlonedevError(
        f"the varnish service does not mount compose/{VCL_DIR}",
        "check compose/compose.override.yaml",
    )
