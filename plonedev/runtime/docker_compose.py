"""Compose through python-on-whales, for one project: its files, its name, its errors.

compose/compose.yaml is plonedev's; compose/compose.override.yaml, when the user wrote
one, is merged after it. Nothing is printed: output goes to a callback or into errors.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from plonedev.errors import PlonedevError, ServiceError
from plonedev.streaming import ToolFailed, follow, last_lines

COMPOSE_FILE = "compose.yaml"
OVERRIDE_FILE = "compose.override.yaml"


class Compose:
    def __init__(self, compose_dir: Path, project_name: str) -> None:
        self.compose_dir = compose_dir
        self.project_name = project_name

    @property
    def files(self) -> list[Path]:
        files = [self.compose_dir / COMPOSE_FILE]
        override = self.compose_dir / OVERRIDE_FILE
        if override.is_file():
            files.append(override)
        return files

    @property
    def exists(self) -> bool:
        return (self.compose_dir / COMPOSE_FILE).is_file()

    def cli(self, *args: str) -> tuple[str, ...]:
        """`docker compose ARGS` for this project, for a command that needs the terminal
        (python-on-whales captures the output)."""
        files = [arg for path in self.files for arg in ("--file", str(path))]
        return (
            "docker", "compose", "--project-name", self.project_name,
            "--project-directory", str(self.compose_dir), *files, *args,
        )  # fmt: skip

    def _docker(self) -> Any:
        from python_on_whales import DockerClient

        return DockerClient(
            compose_files=list[str | Path](self.files),
            compose_project_name=self.project_name,
            compose_project_directory=self.compose_dir,
        )

    def config(self) -> dict[str, Any]:
        """What `docker compose config` makes of the files (validates them)."""
        result: dict[str, Any] = self._run("check the Compose files", "config", return_json=True)
        return result

    def build(self, services: list[str], on_line: Callable[[str], None] | None) -> None:
        output: list[str] = []
        self._stream(
            "build the backend image",
            "build",
            on_line,
            output,
            services=services,
            stream_logs=True,
        )

    def create(self) -> None:
        """The network, volumes and containers, nothing started (`up --no-start`)."""
        self._stream(
            "create the containers", "up", None, [], start=False, no_build=True, stream_logs=True
        )

    def up(self, services: list[str]) -> None:
        # No --wait: health is followed through the engine's events (docker_health).
        self._run(
            "start the services",
            "up",
            services=services,
            detach=True,
            no_build=True,
            remove_orphans=True,  # services the config no longer has
            quiet=True,
        )

    def restart(self, services: list[str], timeout: int | None = None) -> None:
        self._run("restart the services", "restart", services=services, timeout=timeout)

    def stop(self, services: list[str], timeout: int | None = None) -> None:
        self._run("stop the services", "stop", services=services, timeout=timeout)

    def down(self, *, volumes: bool) -> None:
        self._run("remove the containers", "down", remove_orphans=True, volumes=volumes, quiet=True)

    def logs(self, services: list[str], *, follow: bool, tail: int | None) -> Iterator[str]:
        stream = self._docker().compose.logs(
            services=services,
            tail=None if tail is None else str(tail),
            follow=follow,
            stream=True,
        )
        pending = ""
        for _source, chunk in stream:
            pending += chunk.decode("utf-8", errors="replace")
            *lines, pending = pending.split("\n")
            yield from lines
        if pending:
            yield pending

    def run_captured(self, action: str, args: list[str], timeout: float) -> str:
        """Compose's output (python-on-whales has neither `config --hash` nor an attached
        `run` that returns the output)."""
        try:
            done = subprocess.run(
                self.cli(*args), capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise PlonedevError(
                f"docker compose could not {action} within {timeout:.0f} s",
                "see `plonedev logs`",
            ) from None
        if done.returncode != 0:
            raise compose_error(action, done.stdout + done.stderr)
        return done.stdout

    def pipe(
        self,
        action: str,
        args: list[str],
        *,
        send: Callable[[IO[bytes]], None] | None = None,
        receive: Callable[[IO[bytes]], None] | None = None,
        hint: str = "",
    ) -> None:
        """`docker compose ARGS` (a `run -T` or `exec -T`) with bytes streamed: `send`
        writes its stdin, `receive` reads its stdout. A failed command raises ToolFailed
        with its stderr: that, not the broken pipe it caused here, is what went wrong."""
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(
                self.cli(*args),
                stdin=subprocess.PIPE if send else subprocess.DEVNULL,
                stdout=subprocess.PIPE if receive else subprocess.DEVNULL,
                stderr=errors,
            )
            try:
                if send is not None:
                    assert process.stdin is not None
                    with process.stdin:
                        send(process.stdin)
                if receive is not None:
                    assert process.stdout is not None
                    with process.stdout:
                        receive(process.stdout)
                        # What it still writes (a tar's padding): a pipe closed early
                        # would fail it (exit 255, nothing said).
                        while process.stdout.read(1 << 16):
                            pass
            except BaseException:
                if _exited(process) in (None, 0):
                    process.kill()  # our side failed (a full disk): the command must end
                    process.wait()
                    raise
            returncode = process.wait()
            if returncode != 0:
                errors.seek(0)
                output = errors.read().decode("utf-8", "replace")
                lines = last_lines(output.splitlines())
                raise ToolFailed(
                    f"could not {action}: {lines[-1] if lines else f'exit {returncode}'}",
                    hint,
                    "\n".join(lines),
                    returncode,
                    output,
                )

    def _run(self, action: str, command: str, **kwargs: Any) -> Any:
        from python_on_whales.exceptions import DockerException

        try:
            return getattr(self._docker().compose, command)(**kwargs)
        except DockerException as exc:
            raise compose_error(action, _output(exc)) from None

    def _stream(
        self,
        action: str,
        command: str,
        on_line: Callable[[str], None] | None,
        output: list[str],
        **kwargs: Any,
    ) -> None:
        from python_on_whales.exceptions import DockerException

        try:
            stream = getattr(self._docker().compose, command)(**kwargs)
            follow((chunk.decode("utf-8", "replace") for _, chunk in stream), on_line, output)
        except DockerException as exc:
            raise compose_error(action, "\n".join(output) or _output(exc)) from None


def _exited(process: subprocess.Popen[bytes]) -> int | None:
    """The exit code of a command whose pipe broke; None while it still runs."""
    try:
        return process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        return None


def _output(exc: Any) -> str:
    parts = [getattr(exc, "stderr", None) or "", getattr(exc, "stdout", None) or ""]
    text = "\n".join(p if isinstance(p, str) else p.decode("utf-8", "replace") for p in parts)
    return text.strip() or str(exc)


_PORT_TAKEN = re.compile(
    r"(?:Bind for |listen tcp4? )(?P<addr>[\d.:\[\]]+?):(?P<port>\d+)"
    r"(?: failed: port is already allocated|: bind: address already in use)"
)
_JOB_FAILED = re.compile(r'service "(?P<name>[^"]+)" didn\'t complete successfully')
_UNHEALTHY = re.compile(r"dependency failed to start: container (?P<name>\S+) is unhealthy")


_PULL_PATTERNS = (
    # Only the failed step's summary (" > [internal] load metadata for IMAGE:"): every
    # build's log names its base images the same way without the "> ".
    re.compile(r"^\s*> \[[^\]]*\] load metadata for (?P<image>\S+):$", re.MULTILINE),
    re.compile(r"pull access denied for (?P<image>[^\s,]+)"),
    re.compile(r"manifest for (?P<image>\S+) not found"),
)


def _not_pulled(output: str) -> str | None:
    """The image that could not be pulled ("" when unnamed); None when no pull failed."""
    for pattern in _PULL_PATTERNS:
        match = pattern.search(output)
        if match:
            return match["image"]
    if re.search(r"^\s*\S+ (?:Error|Pulling)\b", output, re.MULTILINE) and "registry" in output:
        return ""
    return None


def compose_error(action: str, output: str) -> PlonedevError:
    """One line a user can act on, from what Compose said."""
    lines = last_lines(output.splitlines())
    details = "\n".join(lines)
    port = _PORT_TAKEN.search(output)
    if port:
        return PlonedevError(
            f"port {port['port']} on {port['addr']} is already in use by another program",
            f"stop that program, or set another port under [tool.plonedev.ports] "
            f"(port {port['port']})",
        )
    job = _JOB_FAILED.search(output)
    if job:
        return ServiceError(
            f"{job['name']} failed",
            f"see `plonedev logs {job['name']}`",
            details=details,
        )
    unhealthy = _UNHEALTHY.search(output)
    if unhealthy:
        return ServiceError(
            f"{unhealthy['name']} did not become healthy", "see `plonedev logs`", details=details
        )
    image = _not_pulled(output)
    if image is not None:
        return PlonedevError(
            f"{f'the image {image}' if image else 'an image'} could not be pulled: "
            f"{lines[-1] if lines else 'no registry answers'}",
            "point tool.plonedev.images at images this machine can reach (a private "
            "registry, a pinned digest, or an image built here); `plonedev doctor` lists them",
        )
    if "Cannot connect to the Docker daemon" in output or "Is the docker daemon running" in output:
        return PlonedevError(
            "the Docker engine does not answer", "start Docker, or run with --runtime native"
        )
    last = lines[-1] if lines else "no output"
    return ServiceError(f"docker compose could not {action}: {last}", "", details=details)
