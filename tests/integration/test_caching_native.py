"""Plone purges the Varnish in front of it (native runtime, Classic UI pages and their
JSON, on the default distribution, which lets visitors use the REST API): an edit is on
the next anonymous page within a second, and cache-hold shields the backend."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from plonedev.varnish import varnish_available
from tests.integration.cache_support import (
    anonymous,
    cache_counters,
    check_edit_and_delete_are_fresh,
    check_hold_shields_the_backend,
)
from tests.integration.plone_project import PlonedevProject, make_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(varnish_available() is None, reason="varnishd is not installed"),
]
HOLD = 3


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlonedevProject]:
    project = make_project(
        tmp_path_factory.mktemp("caching"),
        f'runtime = "native"\nvarnish = true\ncache-hold = {HOLD}',
        with_demo=False,
    )
    done = project.run("up")
    assert "plone.app.caching installed" in done.stdout, done.stdout
    yield project
    project.run("down", check=False)


def _varnish(project: PlonedevProject, path: str) -> str:
    return f"http://127.0.0.1:{project.ports['varnish']}{path}"


def test_an_edit_and_a_delete_are_seen_through_varnish_at_once(project: PlonedevProject) -> None:
    check_edit_and_delete_are_fresh(
        project,
        f"{project.backend}/Plone",
        _varnish(project, "/Plone/cached-doc"),
        _varnish(project, "/Plone/cached-doc"),  # the same URL, asked for JSON
    )
    counters = cache_counters(project)
    assert isinstance(counters["purges"], int) and counters["purges"] > 0
    assert isinstance(counters["hits"], int) and counters["hits"] >= 2


def test_a_second_up_leaves_the_caching_settings_alone(project: PlonedevProject) -> None:
    assert "plone.app.caching" not in project.run("up").stdout


def test_cache_purge_drops_one_page(project: PlonedevProject) -> None:
    page = _varnish(project, "/Plone")
    anonymous(page)
    assert anonymous(page).cache == "HIT"
    project.run("cache", "purge", "/Plone/")
    assert anonymous(page).cache == "MISS"
    assert anonymous(page).cache == "HIT"
    project.run("cache", "purge", "--all")
    assert anonymous(page).cache == "MISS"


def test_cache_hold_shields_the_backend(project: PlonedevProject) -> None:
    check_hold_shields_the_backend(project, _varnish(project, "/Plone/@@ok"), HOLD)


def test_up_after_a_config_change_restarts_only_the_service_it_concerns(
    project: PlonedevProject,
) -> None:
    """cache-hold lives in the VCL, which varnishd reads when it starts: `up` after the
    change restarts Varnish with it and leaves the backend (and its site) running."""
    before = _pids(project)
    pyproject = project.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(f"cache-hold = {HOLD}", "cache-hold = 0"))
    project.run("up")
    after = _pids(project)
    assert after["backend"] == before["backend"]
    assert after["varnish"] != before["varnish"]
    held = _varnish(project, "/Plone/@@ok")  # private: cached only while a hold applies
    anonymous(held)
    assert anonymous(held).cache != "HIT"


def _pids(project: PlonedevProject) -> dict[str, int]:
    services = json.loads(project.run("status", "--json").stdout)["services"]
    return {service["name"]: service["pid"] for service in services}
