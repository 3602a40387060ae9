"""`plonedev build [--push]`: the production images a stack from `export-stack` runs.

- backend: the project's Dockerfile, target prod (the add-ons and the instance baked in,
  no bind mounts), plus a thin layer (plonedev/templates/stack/backend.Dockerfile) with
  the stack's storage client and production instance config;
- varnish: the Varnish image with the stack's VCL baked in;
- frontend: the Volto production build, when the project has a frontend
  (plonedev.frontend.image: the frontend folder's Dockerfile, `razzle build`).

Tagged `[registry/]<name>-<role>:<tag>` (plonedev.render.stack_images), built with
BuildKit and the same CA bundle secret as development builds.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from plonedev.errors import PlonedevError
from plonedev.files import write_atomic
from plonedev.model_builder import build_project
from plonedev.project_setup import prepare
from plonedev.project_setup.find_project import ProjectContext, open_project
from plonedev.render import backend_image
from plonedev.render.containers import ca_secret, python_image
from plonedev.render.stack_backend import (
    BuildFiles,
    backend_build_files,
    stack_storage,
    storage_requirements,
    varnish_build_files,
)
from plonedev.render.stack_images import StackImages, stack_images
from plonedev.render.stack_options import StackStorage
from plonedev.render.stack_vcl import render_stack_vcl
from plonedev.report import Reporter
from plonedev.runtime.production_image import build_image, push_image, remove_tag

PROD_TARGET = "prod"  # the production stage of the project's Dockerfile
LABEL = "org.plone.plonedev.stack"  # on every image plonedev build makes: the project


@dataclass(frozen=True)
class BuiltImage:
    role: str  # backend, varnish, frontend
    reference: str
    seconds: float
    pushed: bool = False


@dataclass(frozen=True)
class BuildResult:
    project: str
    storage: StackStorage
    images: tuple[BuiltImage, ...]
    seconds: float


def build(
    start: Path,
    reporter: Reporter,
    *,
    registry: str = "",
    tag: str = "latest",
    push: bool = False,
    cache_tag: str = "",
) -> BuildResult:
    """`cache_tag`: reuse the layers of the registry's images with this tag (a CI
    runner's BuildKit cache starts empty), e.g. the main branch's last build."""
    started = time.monotonic()
    context = open_project(start)
    config = context.config
    if push and not registry:
        raise PlonedevError(
            "--push needs --registry: the images are named after the registry they go to",
            "add --registry registry.example.org/team (and `docker login` to it first)",
        )
    images = stack_images(config, registry, tag)
    caches = stack_images(config, registry, cache_tag) if cache_tag else None
    storage = stack_storage(config)
    ca_file = _prepare_backend_inputs(context, reporter)
    built = [
        _build_backend(context, storage, images, ca_file, reporter, caches),
        _build_varnish(context, images, ca_file, reporter, caches),
    ]
    if images.frontend is not None:
        cache = caches.frontend if caches else None
        built.append(_build_frontend(context, images.frontend, ca_file, reporter, cache))
    if push:
        built = [_push(image, reporter) for image in built]
    return BuildResult(config.name, storage, tuple(built), time.monotonic() - started)


def _prepare_backend_inputs(context: ProjectContext, reporter: Reporter) -> Path:
    """Sources (mxdev) and the backend image's inputs, as `plonedev up` writes them."""
    from plonedev.runtime.docker_prepare import prepare_docker

    synced = prepare.sources(context, reporter)
    project = build_project(context.config, context.paths, native_programs=False)
    prepare_docker(context.paths, context.config, project, synced, reporter)
    return ca_secret(context.paths).source  # written by prepare_docker (empty: no CA)


def _build_backend(
    context: ProjectContext,
    storage: StackStorage,
    images: StackImages,
    ca_file: Path,
    reporter: Reporter,
    caches: StackImages | None = None,
) -> BuiltImage:
    paths, config = context.paths, context.config
    started = time.monotonic()
    base = f"plonedev-build/{config.name}-backend-prod:{images.backend.rsplit(':', 1)[-1]}"
    args = backend_image.build_args(config, python_image(config), version("uv"))
    if storage is StackStorage.RELSTORAGE:
        # psycopg2 builds from source: the compiler and libpq's headers must be there.
        args["APT_PACKAGES"] = backend_image.RELSTORAGE_APT
    with reporter.step(f"Building the backend image {images.backend}") as step:
        build_image(
            paths.root,
            dockerfile=paths.root / backend_image.DOCKERFILE,
            target=PROD_TARGET,
            args=args,
            tag=base,
            ca_file=ca_file,
            # The final image holds this stage's layers: its inline cache covers both.
            cache_from=caches.backend if caches else None,
            on_line=step.update,
        )
        with tempfile.TemporaryDirectory(prefix="plonedev-build-") as folder:
            _write(Path(folder), backend_build_files(config, storage))
            build_image(
                Path(folder),
                args={
                    "BASE_IMAGE": base,
                    "STORAGE_REQUIREMENTS": storage_requirements(config, storage),
                },
                labels={LABEL: config.name},
                tag=images.backend,
                ca_file=ca_file,
                cache_from=caches.backend if caches else None,
                on_line=step.update,
            )
        remove_tag(base)  # an intermediate: the final image keeps its layers
        step.done(f"Built {images.backend} ({storage.value})")
    return BuiltImage("backend", images.backend, time.monotonic() - started)


def _build_varnish(
    context: ProjectContext,
    images: StackImages,
    ca_file: Path,
    reporter: Reporter,
    caches: StackImages | None = None,
) -> BuiltImage:
    started = time.monotonic()
    with (
        reporter.step(f"Building the Varnish image {images.varnish}") as step,
        tempfile.TemporaryDirectory(prefix="plonedev-build-") as folder,
    ):
        _write(
            Path(folder),
            varnish_build_files(render_stack_vcl(cache_hold=context.config.cache_hold)),
        )
        build_image(
            Path(folder),
            args={"VARNISH_IMAGE": context.config.images.varnish},
            labels={LABEL: context.config.name},
            tag=images.varnish,
            ca_file=ca_file,
            cache_from=caches.varnish if caches else None,
            on_line=step.update,
        )
        step.done(f"Built {images.varnish}")
    return BuiltImage("varnish", images.varnish, time.monotonic() - started)


def _build_frontend(
    context: ProjectContext,
    reference: str,
    ca_file: Path,
    reporter: Reporter,
    cache_from: str | None = None,
) -> BuiltImage:
    from plonedev.frontend.image import prepare_frontend_build

    started = time.monotonic()
    with reporter.step(f"Building the frontend image {reference}") as step:
        build = prepare_frontend_build(context.paths, context.config)
        build_image(
            build.context,
            dockerfile=build.dockerfile,
            target=build.target,
            args=build.args,
            tag=reference,
            ca_file=ca_file,
            labels={LABEL: context.config.name},
            cache_from=cache_from,
            on_line=step.update,
        )
        step.done(f"Built {reference} (Volto production build)")
    return BuiltImage("frontend", reference, time.monotonic() - started)


def _push(image: BuiltImage, reporter: Reporter) -> BuiltImage:
    with reporter.step(f"Pushing {image.reference}") as step:
        push_image(image.reference, on_line=step.update)
        step.done(f"Pushed {image.reference}")
    return BuiltImage(image.role, image.reference, image.seconds, pushed=True)


def _write(folder: Path, files: BuildFiles) -> None:
    for name, (text, mode) in files.items():
        write_atomic(folder / name, text, mode)
