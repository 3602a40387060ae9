"""The Docker runtime: Docker Compose, the backend image, the data in named volumes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from plonedev.credentials import ensure_admin_password
from plonedev.errors import ServiceError
from plonedev.frontend import frontend_paths
from plonedev.frontend.volto import ensure_dev_tools
from plonedev.model import Role
from plonedev.paths import ProjectPaths
from plonedev.project_setup.find_project import ProjectContext, RunningProject
from plonedev.render.containers import VARNISH_PORT
from plonedev.report import Reporter
from plonedev.runtime.docker import DockerRuntime
from plonedev.runtime.docker_engine import Engine
from plonedev.runtime.engine_probe import EngineProbe
from plonedev.runtime.protocol import Runtime
from plonedev.runtimes.kind import Finding
from plonedev.varnish import ContainerAdmin

if TYPE_CHECKING:  # their modules load when the capability is used
    from plonedev.addons.environment import BackendEnvironment
    from plonedev.backend.site_storage import Places
    from plonedev.backend.snapshot import SnapshotKind
    from plonedev.sources import SourcesResult
    from plonedev.watch.executor import Executor


class Docker:
    name = "docker"
    native_programs = False  # the images bring them

    def services(self, paths: ProjectPaths) -> Runtime:
        return DockerRuntime(paths)

    def prepare(
        self, running: RunningProject, synced: SourcesResult, reporter: Reporter, frontend: bool
    ) -> str:
        """`frontend` changes nothing: the frontend's install job is a Compose service,
        it runs only when the frontend does."""
        from plonedev.runtime.docker_prepare import prepare_docker

        context = running.context
        # Compose hands it to the site job as a secret file: it must exist first.
        password = ensure_admin_password(context.paths.admin_password_file)
        if context.config.frontend:
            # The install job and the dev server read plonedev's add-on from core/.
            ensure_dev_tools(frontend_paths(context.paths.root, context.config.frontend))
        prepare_docker(context.paths, context.config, running.project, synced, reporter)
        return password

    def environment(self, context: ProjectContext) -> BackendEnvironment:
        from plonedev.addons.docker_environment import DockerEnvironment

        return DockerEnvironment(context)

    def data(self, running: RunningProject) -> list[str]:
        return Engine().volumes(running.project.name)

    def storage_places(self, running: RunningProject) -> Places:
        """The project's named volumes, as the engine lists them."""
        from plonedev.runtime.docker_site_storage import compose_places

        name = running.project.name
        return compose_places(name, Engine().volumes(name))

    def remove_data(
        self, running: RunningProject, reporter: Reporter
    ) -> tuple[list[str], list[str]]:
        """The project's named volumes go."""
        return _compose(running).remove_data(running.project, reporter.event)

    def snapshot_kind(self, running: RunningProject) -> SnapshotKind:
        """Scripts and PostgreSQL's programs in the service containers that hold the
        volumes (plonedev.runtime.docker_snapshot)."""
        from plonedev.runtime import docker_snapshot

        pipe = docker_snapshot.compose_pipe(running.context.paths.compose_dir, running.project)
        return docker_snapshot.kind_for(running.context.config, running.project, pipe)

    def watcher(self, running: RunningProject) -> Executor:
        from plonedev.watch.compose_runtime import WatchedDockerRuntime
        from plonedev.watch.docker_workspace import DockerWorkspace
        from plonedev.watch.executor import Executor

        docker = WatchedDockerRuntime(running.context.paths)
        workspace = DockerWorkspace(running.context, running.project, docker, self.prepare)
        return Executor(docker, workspace)

    def findings(self, context: ProjectContext, engine: EngineProbe) -> list[Finding]:
        from plonedev.frontend.doctor import frontend_findings
        from plonedev.runtime.docker_doctor import docker_findings

        config, paths = context.config, context.paths
        found = docker_findings(config, paths.root, engine_answers=engine.answers, required=True)
        # In containers the node image brings Node and pnpm: the host needs neither.
        return found + frontend_findings(paths.root, config.frontend, paths.state, required=False)

    def purge_url(self, running: RunningProject) -> str:
        return f"http://{_varnish(running)}:{VARNISH_PORT}"  # its name on the Compose network

    def varnish_admin(self, running: RunningProject) -> Path | ContainerAdmin:
        info = _compose(running).engine.containers(running.project.name).get(_varnish(running))
        if info is None or not info.running:
            raise ServiceError("Varnish is not running", "start it with `plonedev up`")
        return ContainerAdmin(info.id)


def _compose(running: RunningProject) -> DockerRuntime:
    assert isinstance(running.runtime, DockerRuntime)
    return running.runtime


def _varnish(running: RunningProject) -> str:
    varnish = running.project.by_role(Role.VARNISH)
    assert varnish is not None  # asked for only with Varnish configured: the model has it
    return varnish.name
