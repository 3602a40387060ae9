"""The project's GitHub Actions workflow: lint and test on every push; on the default
branch and on tags, the images built and pushed to GHCR; optionally a deploy job.

The jobs' shell is plonedev.render.ci_jobs's; this module sets its inputs from GitHub's
context, and adds what only GitHub has: the actions that check out, install uv (with
its cache), Node and pnpm's store cache, and the gates (`if:`, the environment).
"""

from __future__ import annotations

from typing import Any

from plonedev.render import ci_jobs
from plonedev.render.ci_jobs import CiOptions, CiProject

WORKFLOW_PATH = ".github/workflows/plonedev.yml"
RUNNER = "ubuntu-latest"
PNPM_STORE = "${{ runner.temp }}/pnpm-store"
DEFAULT_BRANCH = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
ON_TAG = "startsWith(github.ref, 'refs/tags/')"
# GHCR wants lowercase names; the owner and repository may have capitals.
REGISTRY = (
    "REGISTRY=\"$(printf '%s' \"ghcr.io/$GITHUB_REPOSITORY\" | tr '[:upper:]' '[:lower:]')\"\n"
    "export REGISTRY\n"
)
CHECKOUT = {"uses": "actions/checkout@v4"}


def render_github(project: CiProject, options: CiOptions) -> str:
    jobs: dict[str, Any] = {
        "lint": _job([_run("Lint", ci_jobs.lint_script())]),
        "test": _job(_test_steps(project)),
        "build": _build_job(),
    }
    if options.deploy_host:
        jobs["deploy"] = _deploy_job(options)
    document = {
        "name": "plonedev",
        "on": {
            "push": {"branches": ["**"], "tags": ["**"]},
            "workflow_dispatch": None,  # run by hand: the deploy job's manual trigger
        },
        "permissions": {"contents": "read"},
        "env": {"PLONEDEV": project.requirement(options), "UV_PYTHON": project.python},
        "jobs": jobs,
    }
    return ci_jobs.header("plonedev ci github") + ci_jobs.dump(document)


def _job(steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    uv = {
        "uses": "astral-sh/setup-uv@v6",
        "with": {"enable-cache": True, "cache-dependency-glob": "pyproject.toml\nmx.ini\n"},
    }
    return {**extra, "runs-on": RUNNER, "steps": [CHECKOUT, uv, *steps]}


def _run(name: str, script: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {"name": name}
    if env:
        step["env"] = env
    step["run"] = script
    return step


def _test_steps(project: CiProject) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = []
    if project.native_packages:
        packages = " ".join(project.native_packages)
        steps.append(
            _run(
                "Services for the native runtime",
                f"sudo apt-get update -q && sudo apt-get install -y -q {packages}\n",
            )
        )
    env: dict[str, str] = {}
    if project.frontend:
        frontend = project.frontend
        steps.append(
            {"uses": "actions/setup-node@v4", "with": {"node-version": ci_jobs.NODE_MAJOR}}
        )
        steps.append(
            {
                "uses": "actions/cache@v4",
                "with": {
                    "path": PNPM_STORE,
                    "key": "pnpm-${{ runner.os }}-${{ hashFiles("
                    f"'{frontend}/package.json', '{frontend}/pnpm-lock.yaml') }}}}",
                    "restore-keys": "pnpm-${{ runner.os }}-",
                },
            }
        )
        env["npm_config_store_dir"] = PNPM_STORE  # pnpm reads its settings from npm_config_*
    steps.append(_run("Test", ci_jobs.test_script(), env))
    return steps


def _build_job() -> dict[str, Any]:
    env = {
        "REGISTRY_USER": "${{ github.actor }}",
        "REGISTRY_PASSWORD": "${{ secrets.GITHUB_TOKEN }}",
        "IMAGE_TAG": "${{ github.sha }}",
        "EXTRA_TAG": "${{ github.ref_type == 'tag' && github.ref_name || '"
        + ci_jobs.CACHE_TAG
        + "' }}",
    }
    return _job(
        [_run("Build and push the images", REGISTRY + ci_jobs.build_script(), env)],
        needs=["lint", "test"],
        **{"if": f"{DEFAULT_BRANCH} || {ON_TAG}"},
        permissions={"contents": "read", "packages": "write"},
    )


def _deploy_job(options: CiOptions) -> dict[str, Any]:
    env = {
        "REGISTRY_USER": "${{ github.actor }}",
        "REGISTRY_PASSWORD": "${{ secrets.GITHUB_TOKEN }}",
        "IMAGE_TAG": "${{ github.ref_type == 'tag' && github.ref_name || github.sha }}",
        **{
            name: "${{ secrets." + name + " }}"
            for name in (
                ci_jobs.SSH_KEY_SECRET,
                ci_jobs.SSH_HOST_SECRET,
                ci_jobs.KNOWN_HOSTS_SECRET,
            )
        },
    }
    return _job(
        [_run("Deploy", REGISTRY + ci_jobs.deploy_script(options), env)],
        needs=["build"],
        # On tags, or by hand (Actions > plonedev > Run workflow) on the default branch.
        **{"if": f"{ON_TAG} || github.event_name == 'workflow_dispatch'"},
        permissions={"contents": "read", "packages": "read"},
        environment="production",  # its protection rules can require an approval
    )
