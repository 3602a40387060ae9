"""Plone purges the Varnish in front of it in Compose (PURGE from the backend's container
to varnish:80 over the project's network): an edit is on the next anonymous page within
a second, plonedev cache reads the container's counters, cache-hold shields the backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.cache_support import (
    anonymous,
    cache_counters,
    check_edit_and_delete_are_fresh,
    check_hold_shields_the_backend,
)
from tests.integration.test_compose import DockerProject, docker_project, stand_in_images

pytestmark = [pytest.mark.docker, pytest.mark.slow]
__all__ = ["stand_in_images"]  # the session fixture that builds the stand-in images
HOLD = 3


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, stand_in_images: list[str]
) -> Iterator[DockerProject]:
    project = docker_project(
        tmp_path_factory.mktemp("caching-compose"),
        stand_in_images,
        "pdt-cache",
        f"varnish = true\ncache-hold = {HOLD}",
    )
    done = project.run("up")
    assert "purging Varnish at http://varnish:80" in done.stdout, done.stdout
    yield project
    project.remove()


def test_an_edit_and_a_delete_are_seen_through_varnish_at_once(project: DockerProject) -> None:
    page = project.url("varnish", "/Plone/cached-doc")
    check_edit_and_delete_are_fresh(project.project, project.url("backend", "/Plone"), page, page)
    counters = cache_counters(project.project)
    assert isinstance(counters["purges"], int) and counters["purges"] > 0


def test_cache_purge_reaches_the_container(project: DockerProject) -> None:
    page = project.url("varnish", "/Plone")
    anonymous(page)
    assert anonymous(page).cache == "HIT"
    project.run("cache", "purge", "/Plone")
    assert anonymous(page).cache == "MISS"


def test_cache_hold_shields_the_backend(project: DockerProject) -> None:
    check_hold_shields_the_backend(project.project, project.url("varnish", "/Plone/@@ok"), HOLD)
