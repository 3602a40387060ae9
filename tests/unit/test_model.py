from __future__ import annotations

from pathlib import Path

import pytest

from plonedev.model import Project, Service


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
