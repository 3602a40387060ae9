from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def write_pyproject(root: Path, section: str, project: str = 'name = "demo"\n') -> Path:
    path = root / "pyproject.toml"
    path.write_text(f"[project]\n{project}\n[tool.plonedev]\n{section}")
    return path


@pytest.fixture
def repo_root() -> Path:
    return REPO
