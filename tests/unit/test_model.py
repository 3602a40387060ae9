from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.model import Project, Role, Service


def _service(name: str, *deps: str) -> Service:
    return Service(name=name, description=name, command=("true",), cwd=Path(), depends_on=deps)


def test_start_order_puts_dependencies_first() -> None:
    project = Project(
        "p",
        Path(),
        (_service("varnish", "backend"), _service("backend", "zeo"), _service("zeo")),
    )
    assert [s.name for s in project.start_order()] == ["zeo", "backend", "varnish"]


def test_dependency_cycle_is_reported() -> None:
    project = Project("p", Path(), (_service("a", "b"), _service("b", "a")))
    with pytest.raises(ValueError, match="dependency cycle: a -> b -> a"):
        project.start_order()


def test_only_keeps_the_named_services_and_what_they_need() -> None:
    needs = {"zeo": (), "backend": ("zeo",), "frontend": ("backend",), "varnish": ("frontend",)}
    project = Project("p", Path(), tuple(_service(name, *deps) for name, deps in needs.items()))
    assert project.only(("backend",)).service_names == ("zeo", "backend")
    assert project.only(("varnish",)).service_names == project.service_names
    assert project.only(()).service_names == project.service_names


def test_a_part_of_the_project_keeps_its_site_and_cache_hold() -> None:
    # The VCL rendered for `up varnish` needs both (the Compose cache-hold was lost so).
    project = Project(
        "p", Path(), (_service("backend"), _service("varnish", "backend")), "Plone", 3
    )
    part = project.only(("varnish",))
    assert (part.site_id, part.cache_hold) == ("Plone", 3)


def test_by_role_finds_the_service_in_that_role_whatever_its_name() -> None:
    cache = Service("cache", "Varnish", ("true",), Path(), role=Role.VARNISH)
    project = Project("p", Path(), (_service("backend"), cache))
    assert project.by_role(Role.VARNISH) is cache
    assert project.by_role(Role.FRONTEND) is None
