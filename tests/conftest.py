from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def write_pyproject(root: Path, section: str, project: str = 'name = "demo"\n') -> Path:
    path = root / "pyproject.toml"
    path.write_text(f"[project]\n{project}\n[tool.plonedev]\n{section}")
    return path


def run_plonedev(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `plonedev` CLI run in `root`, as a user would, its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "plonedev", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "300"},
        timeout=120,
        check=False,
    )


def pytest_configure(config: pytest.Config) -> None:
    # A shell runs a background job (`.ci/run &`) with SIGINT ignored, and an ignored
    # signal stays ignored across exec: Zope and runzeo, which stop on SIGINT, would
    # not. A handler of our own is reset to the default in every child.
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    # The projects tests start are listed in a registry of their own, not the user's
    # (`plonedev ls`, `down --all`); the plonedev processes they run inherit it.
    from plonedev.registry import STATE_DIR_VARIABLE

    os.environ.setdefault(STATE_DIR_VARIABLE, tempfile.mkdtemp(prefix="plonedev-test-state-"))


@pytest.fixture
def repo_root() -> Path:
    return REPO


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In a strict run (scripts/test, so CI) a skip is a failure: it provisions the
    engine, Varnish and PostgreSQL first, so a test that skips there hides a broken setup."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("PLONEDEV_TEST_STRICT") == "1":
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in a strict run (PLONEDEV_TEST_STRICT=1): {reason}"
