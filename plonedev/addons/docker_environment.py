"""The backend environment of the Docker Compose runtime: the backend's dev image.

Installing is what `plonedev up` does for Docker (plonedev.runtime.docker_prepare): write
the image's inputs and compose.yaml from mxdev's output, and build the image when they
changed; the backend container is then recreated from it (BackendControl, because
`recreates_backend`). The probe runs probe_script.py in a throw-away container of the new
image, without network.

Going back: the image the backend ran before is kept under a second tag for the length of
the change, and tagged back on a rollback. Together with the inputs restored byte for
byte (the build record among them) the image is current again: no build runs, and the
backend is recreated from exactly the image it ran before.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from plonedev.addons.build_output import RecordingReporter, explain
from plonedev.addons.environment import (
    PROBE_SCRIPT,
    DistInfo,
    EnvironmentSnapshot,
    dist_info,
    last_line,
)
from plonedev.errors import PlonedevError
from plonedev.model_builder import build_project
from plonedev.project_setup.find_project import ProjectContext
from plonedev.render import backend_image as image
from plonedev.render.containers import DOCKER_DIR, backend_image
from plonedev.report import Reporter
from plonedev.runtime.docker_compose import COMPOSE_FILE
from plonedev.runtime.docker_engine import Engine
from plonedev.sources import SourcesResult

KEEP_SUFFIX = "-before-addon-change"  # the tag that keeps the previous image alive
_LIST_DISTRIBUTIONS = (
    "import importlib.metadata as m, json, sys; "
    "json.dump(sorted({d.metadata['Name'] for d in m.distributions()}), sys.stdout)"
)


class DockerEnvironment:
    """The backend image of a Compose project, built with the project's Dockerfile."""

    recreates_backend = True  # a new image needs a new container, not a restart

    def __init__(self, context: ProjectContext, engine: Engine | None = None) -> None:
        self.context = context
        self.image = backend_image(context.config)
        self.description = f"the backend image {self.image}"
        self.engine = engine or Engine()
        self._synced: SourcesResult | None = None
        self._reporter: Reporter | None = None
        self._before: frozenset[str] = frozenset()

    def snapshot(self) -> EnvironmentSnapshot:
        image_id = self.engine.image_id(self.image)
        if image_id is None:
            return EnvironmentSnapshot(False, "")
        repository, tag = _split(self.image)
        self.engine.client.api.tag(image_id, repository, tag + KEEP_SUFFIX)
        self._before = self._distributions(image_id)
        return EnvironmentSnapshot(True, image_id)

    def files(self, context: ProjectContext) -> list[Path]:
        """The image's inputs with its build record, the instance files, compose.yaml.
        Not .plonedev/run/docker.json: it records what runs, and must not claim the
        previous containers run again before they are recreated."""
        root = context.paths.root
        docker = root / DOCKER_DIR
        inputs = ("requirements.txt", "constraints.txt", *image.sources_files(_NO_SOURCES))
        return [
            *(docker / name for name in inputs),
            docker / "build-backend.json",
            *(docker / "instance" / name for name in image.instance_files(context.config)),
            root / image.DOCKERFILE,
            root / image.DOCKERIGNORE,
            context.paths.compose_dir / COMPOSE_FILE,
        ]

    def install(self, context: ProjectContext, synced: SourcesResult, reporter: Reporter) -> None:
        self.context = context
        self._synced = synced
        self._reporter = reporter
        self._prepare()

    def write_files(self, context: ProjectContext, admin_password: str) -> None:
        """Again after a ZCML include was added: the instance files change, the image not
        (the instance is bind-mounted), so no build runs."""
        self.context = context
        self._prepare()

    def restore(self, snapshot: EnvironmentSnapshot) -> None:
        import docker

        api = self.engine.client.api
        if not snapshot.existed:
            with contextlib.suppress(docker.errors.NotFound):
                api.remove_image(self.image, force=True)  # built by the change: not kept
            return
        repository, tag = _split(self.image)
        try:
            api.tag(snapshot.state, repository, tag)
        except docker.errors.NotFound:
            raise PlonedevError(
                f"the previous backend image {snapshot.state[:19]} is gone",
                "run `plonedev up`: it builds the image again from the restored files",
            ) from None
        self.release(snapshot)

    def release(self, snapshot: EnvironmentSnapshot) -> None:
        """The change is over: drop the tag that kept the previous image."""
        import docker

        if not snapshot.existed:
            return
        # Gone already, or still used by a container: harmless either way.
        with contextlib.suppress(docker.errors.APIError):
            repository, tag = _split(self.image)
            self.engine.client.api.remove_image(f"{repository}:{tag}{KEEP_SUFFIX}")

    def prune(self, synced: SourcesResult) -> tuple[str, ...]:
        """Nothing to uninstall (the new image holds just what the requirements ask for):
        the distributions the previous image had and this one has not."""
        image_id = self.engine.image_id(self.image)
        now = self._distributions(image_id) if image_id else frozenset()
        return tuple(sorted(self._before - now))

    def probe(self, names: Sequence[str]) -> dict[str, DistInfo]:
        if not names:
            return {}
        image_id = self.engine.image_id(self.image)
        if image_id is None:
            return {name: DistInfo(name, False) for name in names}
        script = PROBE_SCRIPT.read_text(encoding="utf-8")
        data: dict[str, dict[str, Any]] = json.loads(self._python(image_id, script, *names))
        return {name: dist_info(name, data.get(name, {})) for name in names}

    # -- helpers ---------------------------------------------------------------------------
    def _prepare(self) -> None:
        from plonedev.runtime.docker_prepare import prepare_docker

        synced, reporter = self._synced, self._reporter
        if synced is None or reporter is None:
            raise RuntimeError("write_files before install")  # the commands never do
        context = self.context
        project = build_project(context.config, context.paths, native_programs=False)
        recording = RecordingReporter(reporter)
        try:
            prepare_docker(context.paths, context.config, project, synced, recording, self.engine)
        except PlonedevError as error:
            raise explain(error, recording.lines) from None

    def _distributions(self, image_id: str) -> frozenset[str]:
        return frozenset(json.loads(self._python(image_id, _LIST_DISTRIBUTIONS)))

    def _python(self, image_id: str, code: str, *args: str) -> str:
        """stdout of `python -c code args` in a throw-away container of the image.

        The docker CLI attaches to the output; docker-py's run() reads the log after the
        exit instead, and came back empty for a fast container on a loaded engine."""
        command = ["docker", "run", "--rm", "--network", "none", "--entrypoint", "python"]
        try:
            done = subprocess.run(
                [*command, image_id, "-c", code, *args],
                capture_output=True,
                text=True,
                check=False,
                stdin=subprocess.DEVNULL,
                timeout=300,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PlonedevError(f"cannot inspect {self.description}: {exc}") from None
        if done.returncode != 0 or not done.stdout.strip():
            raise PlonedevError(
                f"cannot inspect {self.description}: {last_line(done.stderr)}",
                "run `plonedev up` to rebuild it",
            )
        return done.stdout


def _split(reference: str) -> tuple[str, str]:
    """(repository, tag) of an image reference; a registry's port is no tag."""
    repository, sep, tag = reference.rpartition(":")
    if not sep or "/" in tag:
        return reference, "latest"
    return repository, tag


_NO_SOURCES = image.SplitRequirements("", ())
