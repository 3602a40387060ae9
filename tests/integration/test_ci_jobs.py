"""The generated workflow's lint and test jobs, run for real in a clean clone.

The `run:` scripts are taken from the file `plonedev ci github` wrote (GitLab's jobs run
the same scripts: plonedev.render.ci_jobs) and run with bash as GitHub runs them; only
the forge's actions (checkout, setup-uv) are left out: the clone and this machine's uv
stand in for them. PLONEDEV points at this checkout instead of the release.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.integration.plone_project import REPO, make_project

pytestmark = pytest.mark.slow

SMOKE_TEST = """\
import plonedev_demo.greeting


def test_the_addon_is_installed_in_the_backend():
    assert plonedev_demo.greeting.__name__ == "plonedev_demo.greeting"
"""


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def test_lint_and_test_jobs_pass_in_a_clean_clone(tmp_path: Path) -> None:
    project = make_project(tmp_path, 'runtime = "native"')
    tests = project.root / "sources" / "plonedev-demo" / "tests"
    tests.mkdir()
    (tests / "test_smoke.py").write_text(SMOKE_TEST)
    project.run("ci", "github")
    _git(project.root, "init", "-q", "-b", "main")
    _git(project.root, "add", "-A")
    _git(project.root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "x")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(project.root), str(clone))

    workflow = yaml.safe_load((clone / ".github/workflows/plonedev.yml").read_text())
    env = {
        **os.environ,
        **workflow["env"],
        "PLONEDEV": str(REPO),
        "UV_TOOL_DIR": str(tmp_path / "uv-tools"),
        "UV_TOOL_BIN_DIR": str(tmp_path / "uv-bin"),
        # uv from this checkout's venv, as setup-uv would put it on PATH
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
    }
    for job in ("lint", "test"):
        script = workflow["jobs"][job]["steps"][-1]["run"]
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert done.returncode == 0, f"{job}:\n{done.stdout}\n{done.stderr}"
        if job == "test":
            assert "1 passed" in done.stdout
            assert "site created" in done.stdout
    # The test job stopped what it started.
    assert not list((clone / ".plonedev" / "run").glob("*.pid"))
