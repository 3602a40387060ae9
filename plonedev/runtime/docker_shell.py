"""The backend's environment with Compose: a one-off container of the backend service
(`docker compose run --rm --no-deps`), so its image, its volumes, its network and the
add-ons bind-mounted from sources/ are those of the running backend. Any other file the
command reads (a script, plonedev's console) is mounted read-only for it: the image's
copy of the project is as old as the image."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.model import Service
from plonedev.render.backend_image import source_mount_target
from plonedev.render.containers import ZOPE_CONF
from plonedev.runtime.backend_shell import ShellCommand
from plonedev.runtime.docker_compose import Compose

_EXTRA = "/opt/plonedev"  # where files from outside the project's mounts appear


class DockerShell:
    one_off = True
    zope_conf = ZOPE_CONF

    def __init__(self, compose: Compose, root: Path, sources: Path, service: str) -> None:
        self.compose = compose
        self.root = root
        self.sources = sources  # bind-mounted from the host: what is there is current
        self.service = service
        self._mounted: dict[Path, str] = {}

    def inside(self, host: Path) -> str:
        host = host.resolve()
        if host.is_relative_to(self.sources.resolve()):
            return source_mount_target(host.relative_to(self.root.resolve()).as_posix())
        if host not in self._mounted:
            self._mounted[host] = f"{_EXTRA}/{len(self._mounted)}/{host.name}"
        return self._mounted[host]

    def serve(self, service: Service, *, debugpy_port: int | None = None) -> ShellCommand:
        container = service.container
        assert container is not None
        argv = container.command  # ("python", script, zope.ini)
        # Its ports as compose.yaml publishes them (--service-ports cannot go with more).
        published = [(b.port, container.ports[b.name]) for b in service.ports]
        if debugpy_port is not None:
            # Listening on all of the container's addresses; published on 127.0.0.1 only.
            argv = (argv[0], "-m", "debugpy", "--listen", f"0.0.0.0:{debugpy_port}", *argv[1:])
            published.append((debugpy_port, debugpy_port))
        options = [f"--publish=127.0.0.1:{host}:{inside}" for host, inside in published]
        return self.command(argv, tty=True, options=options)

    def command(
        self,
        argv: Sequence[str],
        *,
        workdir: Path | None = None,
        tty: bool = False,
        env: Mapping[str, str] | None = None,
        options: Sequence[str] = (),
    ) -> ShellCommand:
        if not self.compose.exists:
            raise PlonedevError(
                f"{self.compose.files[0]} is missing", "run `plonedev up`, which writes it first"
            )
        options = ["--rm", "--no-deps", *options] + ([] if tty else ["-T"])
        if workdir is not None:
            options += ["--workdir", self.inside(workdir)]
        for host, target in self._mounted.items():
            options += ["--volume", f"{host}:{target}:ro"]
        for key, value in (env or {}).items():
            options += ["--env", f"{key}={value}"]
        argv = self.compose.cli("run", *options, self.service, *argv)
        return ShellCommand(argv, self.root)
