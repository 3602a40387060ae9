"""Production image builds and pushes, through python-on-whales (`docker buildx`).

BuildKit is required: the builds read the CA bundle as the secret "ca" (empty when there
is none) and cache pip/uv downloads in cache mounts. Output goes to a callback; a failed
build raises with the end of its output.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from plonedev.errors import ServiceError
from plonedev.streaming import follow, last_lines

OnLine = Callable[[str], None]


class BuildError(ServiceError):
    """A build or a push failed; `details` has the end of its output."""


def build_image(
    context: Path,
    *,
    tag: str,
    ca_file: Path,
    dockerfile: Path | None = None,
    target: str | None = None,
    args: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    cache_from: str | None = None,
    on_line: OnLine | None = None,
) -> None:
    """`docker buildx build` of `context`, tagged `tag`, loaded into the local engine.

    `cache_from`: an image (in a registry) whose layers the build may reuse; the new
    image then carries the same inline cache metadata, so the next build can reuse its
    layers in turn (a CI runner starts with an empty BuildKit cache).
    """
    from python_on_whales import docker

    build_args = dict(args or {})
    if cache_from:
        build_args["BUILDKIT_INLINE_CACHE"] = "1"
    stream = docker.buildx.build(
        context,
        file=dockerfile,
        target=target,
        build_args=build_args,
        cache_from=cache_from or None,
        labels=dict(labels or {}),
        secrets=[f"id=ca,src={ca_file}"],
        tags=[tag],
        progress="plain",
        stream_logs=True,
    )
    _follow(f"building {tag} failed", stream, on_line, _hint_build)


def push_image(reference: str, on_line: OnLine | None = None) -> None:
    from python_on_whales import docker

    stream = docker.image.push(reference, stream_logs=True)
    _follow(f"pushing {reference} failed", _lines(stream), on_line, _hint_push)


def remove_tag(reference: str) -> None:
    """Drop a tag; the image stays while another tag or image uses its layers."""
    from python_on_whales import docker
    from python_on_whales.exceptions import DockerException

    with contextlib.suppress(DockerException):  # already gone: nothing to tidy
        docker.image.remove(reference, force=False)


def _lines(stream: Any) -> Iterable[str]:
    for _source, chunk in stream or ():
        yield chunk.decode("utf-8", errors="replace")


def _follow(message: str, stream: Any, on_line: OnLine | None, hint: Callable[[str], str]) -> None:
    from python_on_whales.exceptions import DockerException

    lines: list[str] = []
    try:
        follow((str(raw) for raw in stream), on_line, lines)
    except DockerException as exc:
        stderr = exc.stderr if isinstance(exc.stderr, str) else ""
        output = "\n".join(last_lines(lines)) or stderr.strip() or str(exc)
        raise BuildError(message, hint(output), details=output) from None


def _hint_build(output: str) -> str:
    if "unknown flag: --secret" in output or (
        "buildx" in output and "not a docker command" in output
    ):
        return "install Docker's buildx plugin: plonedev builds with BuildKit"
    return "read the build output above; `plonedev up --runtime docker` builds the same base"


def _hint_push(output: str) -> str:
    if "denied" in output or "unauthorized" in output:
        return "log in first: docker login <registry>"
    return "check that the registry is reachable and the image name is right"
