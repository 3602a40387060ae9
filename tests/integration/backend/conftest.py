"""A real Plone 6.2.2 venv for the session, and processes that are always cleaned up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backend_helpers import CONSTRAINTS, PLONE_PYTHON, REQUIREMENTS, PloneVenv, Processes

from plonedev.backend.environment import ensure_environment


@pytest.fixture(scope="session")
def plone_venv(tmp_path_factory: pytest.TempPathFactory) -> PloneVenv:
    """One Plone venv per test session (uv's cache makes it a matter of seconds)."""
    root = tmp_path_factory.mktemp("plone")
    requirements = root / "requirements.txt"
    requirements.write_text(REQUIREMENTS)
    venv = root / "venv"
    result = ensure_environment(
        venv, python=PLONE_PYTHON, requirements=requirements, constraints=CONSTRAINTS
    )
    return PloneVenv(venv, requirements, result)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    group = Processes(tmp_path / "logs")
    try:
        yield group
    finally:
        group.kill_all()
