"""`plonedev ci github|gitlab`: the files it writes pass the forges' own checkers.

actionlint (with shellcheck over every `run:` script) for the GitHub workflow,
check-jsonschema's vendored schemas for both; the GitLab scripts through shellcheck
directly. What the jobs do is asserted from the files, as a reviewer would read them;
tests/integration/test_ci_jobs.py runs the lint and test scripts for real.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from plonedev import __version__
from plonedev.commands.ci import Forge, write_ci
from plonedev.render.ci_jobs import CiOptions
from plonedev.render.owned import MARKER
from tests.conftest import write_pyproject
from tests.unit.test_cli_errors import _plonedev

BIN = Path(sys.executable).parent
WORKFLOW = ".github/workflows/plonedev.yml"
PIPELINE = ".gitlab-ci.yml"


def _project(root: Path, *, frontend: bool, storage: str = "filestorage") -> Path:
    extra = 'frontend = "frontend"\nplonedev-version = ">=0.1,<0.2"\n' if frontend else ""
    write_pyproject(root, f'storage = "{storage}"\n{extra}')
    if frontend:
        (root / "frontend").mkdir()
        (root / "frontend" / "package.json").write_text("{}\n")
    return root


def _tool(name: str) -> str:
    path = BIN / name
    if not path.exists():
        found = shutil.which(name)
        assert found, f"{name} is missing: scripts/bootstrap.sh --test installs it"
        return found
    return str(path)


def _check(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _generate(root: Path, forge: str, deploy_host: str = "") -> tuple[Path, dict[str, Any]]:
    write_ci(root, Forge(forge), CiOptions(deploy_host=deploy_host))
    path = root / (WORKFLOW if forge == "github" else PIPELINE)
    assert MARKER in path.read_text().splitlines()[0]
    return path, yaml.safe_load(path.read_text())


def _shellcheck(script: str, tmp_path: Path) -> None:
    path = tmp_path / "script.sh"
    path.write_text("#!/bin/bash\nset -e\n" + script)
    _check(_tool("shellcheck"), str(path))


@pytest.mark.parametrize("frontend", [False, True], ids=["backend-only", "frontend"])
@pytest.mark.parametrize("deploy", [False, True], ids=["no-deploy", "deploy"])
def test_github_workflow_passes_actionlint_and_the_schema(
    tmp_path: Path, frontend: bool, deploy: bool
) -> None:
    root = _project(tmp_path, frontend=frontend)
    path, workflow = _generate(root, "github", "www.example.org" if deploy else "")
    _check(_tool("actionlint"), "-shellcheck", _tool("shellcheck"), str(path))
    _check(_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path))

    # The jobs install the project's pinned plonedev (else the release that wrote it).
    assert workflow["env"]["PLONEDEV"] == (
        "plonedev>=0.1,<0.2" if frontend else f"plonedev=={__version__}"
    )
    jobs = workflow["jobs"]
    assert set(jobs) == {"lint", "test", "build"} | ({"deploy"} if deploy else set())
    assert workflow["on"]["push"] == {"branches": ["**"], "tags": ["**"]}
    test_uses = [step.get("uses", "") for step in jobs["test"]["steps"]]
    assert any(u.startswith("astral-sh/setup-uv") for u in test_uses)
    assert jobs["test"]["steps"][1]["with"]["enable-cache"] is True  # uv's cache
    pnpm_cached = any(u.startswith("actions/cache") for u in test_uses)
    assert pnpm_cached is frontend
    build = jobs["build"]
    assert "default_branch" in build["if"] and "refs/tags/" in build["if"]
    assert build["permissions"]["packages"] == "write"
    run = build["steps"][-1]
    assert "ghcr.io/$GITHUB_REPOSITORY" in run["run"]
    assert run["env"]["IMAGE_TAG"] == "${{ github.sha }}"
    assert "github.ref_name" in run["env"]["EXTRA_TAG"]
    assert '--cache-tag main --push --tag "$IMAGE_TAG"' in run["run"]
    if deploy:
        job = jobs["deploy"]
        assert job["needs"] == ["build"] and job["environment"] == "production"
        step = job["steps"][-1]
        assert step["env"]["DEPLOY_SSH_KEY"] == "${{ secrets.DEPLOY_SSH_KEY }}"
        assert "plonedev deploy --context production --host www.example.org" in step["run"]


@pytest.mark.parametrize("frontend", [False, True], ids=["backend-only", "frontend"])
@pytest.mark.parametrize("deploy", [False, True], ids=["no-deploy", "deploy"])
def test_gitlab_pipeline_passes_the_schema_and_shellcheck(
    tmp_path: Path, frontend: bool, deploy: bool
) -> None:
    root = _project(tmp_path, frontend=frontend, storage="relstorage")
    path, pipeline = _generate(root, "gitlab", "www.example.org" if deploy else "")
    _check(_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(path))
    jobs = {k: v for k, v in pipeline.items() if isinstance(v, dict) and "script" in v}
    assert set(jobs) == {"lint", "test", "build"} | ({"deploy"} if deploy else set())
    for job in jobs.values():
        _shellcheck("\n".join([*job["before_script"], *job["script"]]) + "\n", tmp_path)

    test = jobs["test"]
    cached = [path for cache in test["cache"] for path in cache["paths"]]
    assert cached == [".cache/uv", *([".cache/pnpm"] if frontend else [])]
    assert any("apt-get install -y -q postgresql" in line for line in test["before_script"])
    build = jobs["build"]
    assert build["services"] == ["docker:27-dind"]
    assert {"if": "$CI_COMMIT_TAG"} in build["rules"]
    assert 'REGISTRY="$CI_REGISTRY_IMAGE"' in build["script"][0]
    assert 'IMAGE_TAG="$CI_COMMIT_SHA" EXTRA_TAG="${CI_COMMIT_TAG:-main}"' in build["script"][0]
    if deploy:
        rules = jobs["deploy"]["rules"]
        assert {"if": "$CI_COMMIT_TAG"} in rules
        assert {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH", "when": "manual"} in rules


def test_a_pipeline_taken_over_is_never_written(tmp_path: Path) -> None:
    root = _project(tmp_path, frontend=False)
    path, _ = _generate(root, "gitlab")
    mine = "stages: [test]\nmine:\n  script: [echo mine]\n"
    path.write_text(mine)
    done = _plonedev(root, "ci", "gitlab", "--deploy-host", "www.example.org")
    assert done.returncode == 0, done.stderr
    assert "is yours" in done.stdout
    assert path.read_text() == mine


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("bitbucket",), "'bitbucket' is not a forge"),
        (("github", "--deploy-host", "not a host"), "is not a host name"),
        (("github", "--plonedev", "x'; rm -rf /"), "is not a requirement"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    tmp_path: Path, args: tuple[str, ...], fragment: str
) -> None:
    root = _project(tmp_path, frontend=False)
    done = _plonedev(root, "ci", *args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], done.stderr
    assert not (root / ".github").exists() and not (root / PIPELINE).exists()


def test_the_deploy_job_calls_plonedev_deploy_with_options_it_has(tmp_path: Path) -> None:
    import shlex

    import typer.main

    from plonedev.cli.app import app

    _, workflow = _generate(_project(tmp_path, frontend=False), "github", "www.example.org")
    line = next(
        line
        for line in workflow["jobs"]["deploy"]["steps"][-1]["run"].splitlines()
        if line.startswith("plonedev deploy ")
    )
    group = typer.main.get_command(app)
    deploy = group.get_command(group.make_context("plonedev", ["deploy", "--help"]), "deploy")
    assert deploy is not None
    # Parsing fails on an option the command does not have.
    context = deploy.make_context("deploy", shlex.split(line)[2:])
    assert context.params["context"] == "production"
    assert context.params["host"] == "www.example.org"
