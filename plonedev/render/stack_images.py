"""The production images' names: what `plonedev build` tags and the stack runs.

One function for both commands, so a stack always names the images the build made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from plonedev.config import IMAGE_REFERENCE, PATH_COMPONENT, REGISTRY, TAG, PlonedevConfig
from plonedev.errors import PlonedevError

# host[:port][/path]: no scheme (docker names images without one)
_REGISTRY = re.compile(rf"{REGISTRY}(?:/{PATH_COMPONENT})*/?")
_TAG = re.compile(TAG)


@dataclass(frozen=True)
class StackImages:
    backend: str
    varnish: str
    frontend: str | None  # None: the project has no Volto frontend

    def all(self) -> tuple[str, ...]:
        return tuple(image for image in (self.backend, self.frontend, self.varnish) if image)


def stack_images(config: PlonedevConfig, registry: str = "", tag: str = "latest") -> StackImages:
    """`[registry/]<repository>:<tag>` for each image plonedev builds for production.

    The repository is tool.plonedev.images.backend/frontend without its tag, or
    `<project>-backend`, `<project>-frontend`, `<project>-varnish`; a registry given
    here replaces the one in the configured name.
    """
    validate_registry_and_tag(registry, tag)

    def name(configured: str, role: str) -> str:
        repository = _repository(configured) if configured else f"{config.name}-{role}"
        if registry:
            repository = f"{registry.rstrip('/')}/{repository.rsplit('/', 1)[-1]}"
        return f"{repository}:{tag}"

    images = StackImages(
        backend=name(config.images.backend, "backend"),
        varnish=name("", "varnish"),
        frontend=name(config.images.frontend, "frontend") if config.frontend else None,
    )
    for reference in images.all():
        # The parts are valid, their sum may not be (a project name Docker refuses).
        if not IMAGE_REFERENCE.fullmatch(reference):
            raise PlonedevError(
                f"{reference!r} is not a valid image reference",
                "set tool.plonedev.name (or images.backend/frontend) to lowercase letters, "
                "digits and '-'",
            )
    return images


def validate_registry_and_tag(registry: str, tag: str) -> None:
    if registry and not _REGISTRY.fullmatch(registry):
        raise PlonedevError(
            f"--registry {registry!r} is not a registry name",
            "give a host (and path), e.g. --registry registry.example.org/team",
        )
    if not _TAG.fullmatch(tag):
        raise PlonedevError(
            f"--tag {tag!r} is not an image tag",
            "use letters, digits, '_', '.' and '-' (at most 128)",
        )


def _repository(reference: str) -> str:
    """The reference without its tag or digest ("host:5000/a/b:1.0" -> "host:5000/a/b")."""
    reference = reference.split("@", 1)[0]
    last = reference.rsplit("/", 1)[-1]
    if ":" in last:
        reference = reference[: len(reference) - len(last)] + last.split(":", 1)[0]
    return reference
