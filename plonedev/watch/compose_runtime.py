"""The Docker runtime as the watcher drives it: a restart recreates what is outdated.

`docker compose restart` restarts a container as it was created: after a new backend
image or a changed service definition (compose.yaml, compose.override.yaml) it would
run the old one. Compose labels each container with the hash of its service's
definition and the id of its image; a service whose labels differ from what
`docker compose config --hash` and the engine say now is recreated with
`docker compose up` (which touches nothing else), every other one is restarted.
"""

from __future__ import annotations

from plonedev.model import Project
from plonedev.paths import ProjectPaths
from plonedev.runtime.docker import DockerRuntime
from plonedev.runtime.docker_compose import Compose
from plonedev.runtime.docker_engine import ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL, Engine
from plonedev.runtime.docker_health import Expectation, start_and_wait
from plonedev.runtime.protocol import EventSink

HASH_LABEL = "com.docker.compose.config-hash"
IMAGE_LABEL = "com.docker.compose.image"


def definition_hashes(compose: Compose) -> dict[str, str]:
    """Each service's definition hash, as Compose computes it from the files now."""
    output = compose.run_captured("read the Compose files", ["config", "--hash", "*"], 60)
    pairs = (line.split() for line in output.splitlines())
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


def outdated_services(compose: Compose, engine: Engine, project: Project) -> set[str]:
    """The project's services whose container was made from another definition or image
    than the current ones (services without a container are not outdated: missing)."""
    hashes = definition_hashes(compose)
    images = {s.name: engine.image_id(s.container.image) for s in project.services if s.container}
    outdated: set[str] = set()
    listed = engine.client.api.containers(
        all=True, filters={"label": f"{PROJECT_LABEL}={project.name}"}
    )
    for entry in listed:
        labels = entry.get("Labels") or {}
        name = labels.get(SERVICE_LABEL, "")
        if labels.get(ONEOFF_LABEL) == "True" or name not in images:
            continue
        image = images[name]
        if labels.get(HASH_LABEL) != hashes.get(name) or (
            image and labels.get(IMAGE_LABEL) != image
        ):
            outdated.add(name)
    return outdated


class WatchedDockerRuntime(DockerRuntime):
    def __init__(self, paths: ProjectPaths, engine: Engine | None = None) -> None:
        super().__init__(paths, engine)
        # Set once the files or the image may have changed (an install, a new config);
        # checking costs a Compose call, so a plain restart does not pay it.
        self.recheck = False

    def restart(self, project: Project, names: tuple[str, ...], on_event: EventSink) -> None:
        compose = Compose(self.paths.compose_dir, project.name)
        outdated = outdated_services(compose, self.engine, project) if self.recheck else set()
        recreate = [s for s in project.start_order() if s.name in names and s.name in outdated]
        if recreate:
            wanted = [s.name for s in recreate]
            expect = Expectation(
                tuple(wanted), timeout=sum(s.start_timeout for s in recreate) + 120.0
            )
            start_and_wait(self.engine, project.name, lambda: compose.up(wanted), expect, on_event)
        rest = tuple(name for name in names if name not in outdated)
        if rest:
            # Stopped first: the "die" of a restarted container would otherwise reach
            # the health follower as a failed start (it follows events from its start).
            current = self.engine.containers(project.name)
            running = [name for name in rest if name in current and current[name].running]
            if running:  # none named would stop them all
                compose.stop(running)
            super().restart(project, rest, on_event)
        self.recheck = bool(outdated - set(names))

    def outdated(self, project: Project) -> set[str]:
        return outdated_services(
            Compose(self.paths.compose_dir, project.name), self.engine, project
        )
